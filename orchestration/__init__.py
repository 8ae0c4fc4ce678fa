"""Dagster definitions for Flowmart, one module per concern; each asset calls a step of flowmart.pipeline.

``definitions.py`` is the single entry point that puts them together:

* :mod:`.project`    — the dbt project (dagster-dbt's DbtProject, its manifest prepared by dagster-dbt)
* :mod:`.resources`  — the warehouse resource, the dbt CLI resource, the one-writer rules
* :mod:`.landing`    — one landing multi-asset per registered tracker (raw tables)
* :mod:`.quality`    — the quality gate asset (raw.validation_results, raw.quarantine) and its blocking checks
* :mod:`.dbt`        — the dbt models as assets (staging, intermediate, marts, seeds), dbt tests as checks
* :mod:`.report`     — the semiannual review report, downstream of the marts
* :mod:`.publishing` — the published marts, last
* :mod:`.jobs`       — the refresh and review jobs
* :mod:`.schedules`  — the daily refresh and the semiannual review (with the pure review-window function)
* :mod:`.sensors`    — the landing-folder sensor
"""
