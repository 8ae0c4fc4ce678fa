"""Schedules: the daily refresh and the semiannual review (UTC).

* ``FLOWMART_REFRESH_CRON`` (default ``0 6 * * *``: 06:00 every day) — the refresh job;
* ``FLOWMART_REVIEW_CRON`` (default ``0 7 1 1,7 *``: 07:00 on 1 January and 1 July) — the review of the
  half-year just ended (:func:`review_window`), as of its last second. With a fiscal year that does not
  start in January (dbt var ``fiscal_year_start_month``) the default moves to the first day of the
  fiscal half-years.

Both are read when the definitions load; restart ``dg dev`` (or reload the code location) after
changing them.
"""

import os
from collections.abc import Mapping
from datetime import datetime

import dagster as dg
from dagster._utils.schedules import is_valid_cron_string

from flowmart.report.build import fiscal_start_month
from flowmart.report.periods import Half
from orchestration.jobs import REPORT_KEY, refresh_job, review_job

TIMEZONE = "UTC"
REFRESH_CRON_ENV = "FLOWMART_REFRESH_CRON"
REVIEW_CRON_ENV = "FLOWMART_REVIEW_CRON"
DEFAULT_REFRESH_CRON = "0 6 * * *"


def default_review_cron(fiscal_start: int = 1) -> str:
    """07:00 on the first day of each (fiscal) half-year: ``0 7 1 1,7 *`` for calendar half-years."""
    months = sorted({fiscal_start, (fiscal_start + 5) % 12 + 1})
    return f"0 7 1 {','.join(map(str, months))} *"


DEFAULT_REVIEW_CRON = default_review_cron(1)


def cron_from_env(name: str, default: str, env: Mapping[str, str] | None = None) -> str:
    """The cron string in environment variable ``name`` (else ``default``); a bad one is an error."""
    value = ((env if env is not None else os.environ).get(name) or "").strip() or default
    if not is_valid_cron_string(value):
        raise ValueError(f"{name}={value!r}: not a cron string (e.g. {default!r})")
    return value


def refresh_cron(env: Mapping[str, str] | None = None) -> str:
    return cron_from_env(REFRESH_CRON_ENV, DEFAULT_REFRESH_CRON, env)


def review_cron(env: Mapping[str, str] | None = None, fiscal_start: int | None = None) -> str:
    months = fiscal_start_month() if fiscal_start is None else fiscal_start
    return cron_from_env(REVIEW_CRON_ENV, default_review_cron(months), env)


def review_window(at: datetime, fiscal_start: int | None = None) -> Half:
    """The half-year a review started at ``at`` reports: the newest one that ended on or before ``at``.

    2026-07-01 07:00 -> 2026-H1 (2026-01-01 .. 2026-06-30, as of '2026-06-30 23:59:59');
    2027-01-01 07:00 -> 2026-H2 (as of '2026-12-31 23:59:59').
    """
    months = fiscal_start_month() if fiscal_start is None else fiscal_start
    return Half.last_complete(at.date(), months)


def review_run_config(half: Half) -> dict:
    return {"ops": {REPORT_KEY.to_python_identifier(): {"config": {"half": half.label}}}}


daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule=refresh_cron(),
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Land, check and rebuild the warehouse every day (FLOWMART_REFRESH_CRON, UTC).",
)


@dg.schedule(
    name="semiannual_review",
    job=review_job,
    cron_schedule=review_cron(),
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The review of the half-year just ended, as of its last second (FLOWMART_REVIEW_CRON, UTC).",
)
def semiannual_review_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    half = review_window(context.scheduled_execution_time)
    return dg.RunRequest(
        run_key=f"review-{half.label}",
        run_config=review_run_config(half),
        tags={"flowmart/half": half.label, "flowmart/as_of": half.as_of},
    )


SCHEDULES = [daily_refresh_schedule, semiannual_review_schedule]
