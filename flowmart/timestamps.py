"""Timestamps as trackers write them in their API responses, read in Python (the models read them in SQL,
macros/staging_timestamps.sql): Jira's '2020-06-12T08:13:13.360+0800', GitHub's '2026-03-17T09:00:00Z'."""

from __future__ import annotations

from datetime import UTC, datetime


def tracker_time(text: str | None) -> datetime | None:
    """The instant a tracker timestamp names, in UTC (a value without offset is UTC); None when unreadable."""
    if not text:
        return None
    value = text.strip().replace("Z", "+00:00")
    if len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():  # +0800 -> +08:00
        value = value[:-2] + ":" + value[-2:]
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
