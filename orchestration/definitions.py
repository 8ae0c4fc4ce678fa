"""The single Dagster entry point (``[tool.dagster] module_name`` in pyproject.toml).

Pull assets per configured tracker instance (flowmart.yml) -> landing assets per tracker -> the quality gate asset and its blocking checks -> dbt assets (seeds,
staging, intermediate, marts; dbt tests as checks) -> the semiannual review report -> the published
marts. Each asset calls a step of :mod:`flowmart.pipeline`, as the CLI does. See docs/orchestration.md.
"""

from __future__ import annotations

import dagster as dg

from orchestration.dbt import DBT_ASSETS
from orchestration.jobs import JOBS
from orchestration.landing import LANDING_ASSETS
from orchestration.publishing import SERVING_ASSETS
from orchestration.pull import PULL_ASSETS
from orchestration.quality import LANDED_ROWS_ASSET, QUALITY_ASSETS, QUALITY_CHECKS
from orchestration.report import REPORT_ASSETS
from orchestration.resources import WarehouseResource, dbt_resource
from orchestration.schedules import SCHEDULES
from orchestration.sensors import SENSORS

defs = dg.Definitions(
    assets=[
        *PULL_ASSETS,
        *LANDING_ASSETS,
        LANDED_ROWS_ASSET,
        *QUALITY_ASSETS,
        *DBT_ASSETS,
        *REPORT_ASSETS,
        *SERVING_ASSETS,
    ],
    asset_checks=QUALITY_CHECKS,
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,  # also for runs started from the UI by selecting assets (see jobs.py)
)
