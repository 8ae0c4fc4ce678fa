"""The tracker registry: every tracker Flowmart lands, one module each (docs/architecture.md).

This is the one list of trackers. Landing, the quality gate, the CLI's ``--source`` choices, the Dagster
landing assets and the dbt unions (through the var ``flowmart_trackers``, see :func:`dbt_var`) all read it.
Adding a tracker is a module defining ``TRACKER`` (:class:`~flowmart.trackers.spec.Tracker`), its line
below, its staging models and its expectation suites.
"""

from __future__ import annotations

from flowmart.trackers import azure, csv, github, gitlab, jira, linear
from flowmart.trackers.spec import Kind, RawTable, Tracker

_TRACKERS: list[Tracker] = [jira.TRACKER, csv.TRACKER, github.TRACKER, gitlab.TRACKER, azure.TRACKER, linear.TRACKER]


def all_trackers() -> tuple[Tracker, ...]:
    return tuple(_TRACKERS)


def names() -> tuple[str, ...]:
    return tuple(t.name for t in _TRACKERS)


def get(name: str) -> Tracker:
    for tracker in _TRACKERS:
        if tracker.name == name:
            return tracker
    raise KeyError(f"{name}: no such tracker (have {', '.join(names())})")


def raw_tables() -> tuple[RawTable, ...]:
    return tuple(table for tracker in _TRACKERS for table in tracker.raw_tables)


def kinds() -> dict[str, Kind]:
    """Every kind of file by the name raw.landing_log records (two kinds may share one name)."""
    return {kind.name: kind for tracker in _TRACKERS for kind in tracker.kinds}


def tracker_of_table(table: str) -> Tracker | None:
    return next((t for t in _TRACKERS if table in t.table_names), None)


def register(tracker: Tracker) -> None:
    """Add a tracker (a plugin, or a test's fake one). Its name and raw tables must be new."""
    if tracker.name in names():
        raise ValueError(f"{tracker.name}: a tracker of that name is registered already")
    taken = {t.name for t in raw_tables()} & set(tracker.table_names)
    if taken:
        raise ValueError(f"{tracker.name}: raw table(s) {', '.join(sorted(taken))} belong to another tracker")
    _TRACKERS.append(tracker)


def unregister(name: str) -> None:
    _TRACKERS.remove(get(name))


def dbt_var() -> dict[str, dict[str, str | bool]]:
    """What the dbt unions read (var ``flowmart_trackers``): each tracker's work-item and status-change models,
    whether they carry status and item-type ids, and whether its history reaches back to creation."""
    return {
        t.name: {
            "work_items": t.dbt.work_items,
            "status_changes": t.dbt.status_changes,
            "ids": t.dbt.ids,
            "history_from_creation": t.dbt.history_from_creation,
        }
        for t in _TRACKERS
    }
