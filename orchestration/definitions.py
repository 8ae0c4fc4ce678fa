"""The single Dagster entry point (``[tool.dagster] module_name`` in pyproject.toml).

Landing assets per source -> Great Expectations checks (blocking) -> dbt assets (seeds, staging,
intermediate, marts; dbt tests as checks) -> the semiannual review report -> the published marts.
See docs/orchestration.md.
"""

from __future__ import annotations

import dagster as dg

from orchestration.dagster.dbt import DBT_ASSETS
from orchestration.dagster.jobs import JOBS
from orchestration.dagster.landing import LANDING_ASSETS
from orchestration.dagster.quality import QUALITY_CHECKS, QUARANTINE_ASSET
from orchestration.dagster.report import REPORT_ASSETS
from orchestration.dagster.resources import WarehouseResource, dbt_resource
from orchestration.dagster.schedules import SCHEDULES
from orchestration.dagster.sensors import SENSORS
from orchestration.dagster.serving import SERVING_ASSETS

defs = dg.Definitions(
    assets=[*LANDING_ASSETS, QUARANTINE_ASSET, *DBT_ASSETS, *REPORT_ASSETS, *SERVING_ASSETS],
    asset_checks=QUALITY_CHECKS,
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,  # also for runs started from the UI by selecting assets (see jobs.py)
)
