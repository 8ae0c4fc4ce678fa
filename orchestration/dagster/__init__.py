"""Dagster definitions for Flowmart, one module per concern.

``orchestration/definitions.py`` is the single entry point that puts them together:

* :mod:`.resources`  — the warehouse resource, the dbt project and CLI resource, the one-writer rules
* :mod:`.landing`    — one landing multi-asset per source (raw tables), landing files from the landing folder
* :mod:`.quality`    — the Great Expectations suites as blocking asset checks on the raw tables
* :mod:`.dbt`        — the dbt models as assets (staging, intermediate, marts, seeds), dbt tests as checks
* :mod:`.report`     — the semiannual review report, downstream of the marts
* :mod:`.jobs`       — the refresh and review jobs
* :mod:`.schedules`  — the daily refresh and the semiannual review (with the pure review-window function)
* :mod:`.sensors`    — the landing-folder sensor
"""
