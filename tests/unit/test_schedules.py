"""Schedules: cron strings (defaults and the environment override) and the review window for given dates."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import pytest

from flowmart.warehouse import is_lock_error
from orchestration import schedules
from orchestration.resources import lock_backoff_seconds


def test_default_crons():
    assert schedules.refresh_cron({}) == "0 6 * * *"  # 06:00 every day
    assert schedules.review_cron({}, fiscal_start=1) == "0 7 1 1,7 *"  # 07:00 on 1 January and 1 July
    # a fiscal year starting in April: the fiscal half-years start on 1 April and 1 October
    assert schedules.review_cron({}, fiscal_start=4) == "0 7 1 4,10 *"
    assert schedules.review_cron({}, fiscal_start=7) == "0 7 1 1,7 *"
    assert schedules.daily_refresh_schedule.execution_timezone == "UTC"
    assert schedules.semiannual_review_schedule.execution_timezone == "UTC"


def test_crons_from_environment():
    assert schedules.refresh_cron({"FLOWMART_REFRESH_CRON": "30 4 * * 1-5"}) == "30 4 * * 1-5"
    assert schedules.review_cron({"FLOWMART_REVIEW_CRON": " 0 8 2 1,7 * "}) == "0 8 2 1,7 *"
    assert schedules.refresh_cron({"FLOWMART_REFRESH_CRON": ""}) == "0 6 * * *"
    with pytest.raises(ValueError, match=r"FLOWMART_REFRESH_CRON=.6 o'clock.: not a cron string"):
        schedules.refresh_cron({"FLOWMART_REFRESH_CRON": "6 o'clock"})


@pytest.mark.parametrize(
    ("at", "half", "start", "last_day", "as_of"),
    [
        # the two scheduled ticks: the half-year that just ended, as of its last second
        (
            datetime(2026, 7, 1, 7, 0, tzinfo=UTC),
            "2026-H1",
            "2026-01-01",
            "2026-06-30",
            "2026-06-30 23:59:59",
        ),
        (
            datetime(2027, 1, 1, 7, 0, tzinfo=UTC),
            "2026-H2",
            "2026-07-01",
            "2026-12-31",
            "2026-12-31 23:59:59",
        ),
        # a late or manual run mid-half still reports the last complete half
        (
            datetime(2026, 3, 15, 12, 0, tzinfo=UTC),
            "2025-H2",
            "2025-07-01",
            "2025-12-31",
            "2025-12-31 23:59:59",
        ),
        (
            datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
            "2026-H1",
            "2026-01-01",
            "2026-06-30",
            "2026-06-30 23:59:59",
        ),
        # leap year: H1 2028 ends 30 June all the same
        (
            datetime(2028, 7, 1, 7, 0, tzinfo=UTC),
            "2028-H1",
            "2028-01-01",
            "2028-06-30",
            "2028-06-30 23:59:59",
        ),
    ],
)
def test_review_window(at, half, start, last_day, as_of):
    window = schedules.review_window(at, fiscal_start=1)
    assert window.label == half
    assert window.start.isoformat() == start
    assert window.last_day.isoformat() == last_day
    assert window.as_of == as_of


def test_review_window_of_a_fiscal_year_starting_in_april():
    # FY2027 = April 2026 - March 2027; its H1 = April - September 2026, reviewed on 1 October 2026
    window = schedules.review_window(datetime(2026, 10, 1, 7, 0, tzinfo=UTC), fiscal_start=4)
    assert (window.label, window.start.isoformat(), window.as_of) == (
        "2027-H1",
        "2026-04-01",
        "2026-09-30 23:59:59",
    )


def test_review_schedule_requests_the_half_just_ended():
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2027, 1, 1, 7, 0, tzinfo=UTC))
    request = schedules.semiannual_review_schedule(context)
    assert request.run_key == "review-2026-H2"
    assert request.run_config == {"ops": {"report__semiannual_review": {"config": {"half": "2026-H2"}}}}
    assert request.tags == {"flowmart/half": "2026-H2", "flowmart/as_of": "2026-12-31 23:59:59"}


def test_lock_errors_and_backoff():
    assert is_lock_error(
        'IO Error: Could not set lock on file "/w/flowmart.duckdb": Conflicting lock is held in python (PID 7)'
    )
    assert not is_lock_error("Catalog Error: Table with name x does not exist!")
    # 10 s, doubling each retry, at most 5 minutes
    assert [lock_backoff_seconds(n) for n in range(7)] == [10, 20, 40, 80, 160, 300, 300]
