"""The two jobs: refresh (landing -> quality gate -> dbt) and review (the report).

Both carry the writer tags: the run queue keeps one of them in progress at a time (dagster.yaml).
Both run their steps one after the other in the run's process (in-process executor): the steps share one
warehouse file that only one of them can write at a time anyway, and a process per step would import the
definitions (Great Expectations, dbt) again for every step.
"""

from __future__ import annotations

import dagster as dg

from orchestration.resources import WRITER_TAGS

REPORT_GROUP = "report"
REPORT_KEY = dg.AssetKey([REPORT_GROUP, "semiannual_review"])
SERVING_GROUP = "serving"
PUBLISH_KEY = dg.AssetKey([SERVING_GROUP, "published_marts"])

REFRESH_JOB_NAME = "flowmart_refresh"
REVIEW_JOB_NAME = "flowmart_review"

refresh_job = dg.define_asset_job(
    REFRESH_JOB_NAME,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(REPORT_GROUP),
    description="Land new files, run the quality gate, build the warehouse with dbt (models and tests), publish.",
    tags=WRITER_TAGS,
    executor_def=dg.in_process_executor,
)

review_job = dg.define_asset_job(
    REVIEW_JOB_NAME,
    selection=dg.AssetSelection.groups(REPORT_GROUP) | dg.AssetSelection.assets(PUBLISH_KEY),
    description="Write the semiannual value-stream review for one half-year (config: half), then publish.",
    tags=WRITER_TAGS,
    executor_def=dg.in_process_executor,
)

JOBS = [refresh_job, review_job]
