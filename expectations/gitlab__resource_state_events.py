"""raw.gitlab_resource_state_events: one row per state event (opened, closed, reopened) per landed file."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.shared import (
    CRITICAL,
    QUARANTINE,
    WARNING,
    GateSettings,
    Mappings,
    earliest_allowed,
    empty_in_file_by_file,
    expect,
    in_file_copies,
    latest_allowed,
    longest,
    not_before_creation,
    suite,
    text,
    timestamp_checks,
    utc,
)

TABLE = "gitlab_resource_state_events"
SUITE_NAME = "gitlab__resource_state_events"
REQUIRED_IN_FILE = ["state", "created_at"]
STATES = ["opened", "closed", "reopened"]


def frame_sql(settings: GateSettings) -> str:
    # events name their issue by resource_id, the global id (staging joins on it)
    return f"""
    with

    items as (
        select issue_id, min({utc("created_at")}) as item_created_at
        from raw.gitlab_issues
        group by all
    )

    select
        events._file_hash,
        events._record_position,
        {text("events.event_id")} as event_id,
        {text("events.resource_id")} as resource_id,
        {text("events.state")} as state,
        lower({text("events.state")}) as state_norm,
        {text("events.created_at")} as created_at,
        {utc("events.created_at")} as created_at_utc,
        {latest_allowed(settings, "events._landed_at")} as latest_allowed_at,
        {earliest_allowed(settings, "items.item_created_at")} as earliest_allowed_at,
        coalesce(copies.copy_number, 1) as copy_number,
        {
        longest(["events.event_id", "events.resource_type", "events.resource_id", "events.state", "events.created_at"])
    } as longest_identifier,
        files.empty_required_columns
    from raw.gitlab_resource_state_events as events
    left join items
        on lower(coalesce(events.resource_type, 'issue')) = 'issue'
        and events.resource_id = items.issue_id
    left join {in_file_copies("raw.gitlab_resource_state_events", ["event_id"])} as copies
        on events._file_hash = copies._file_hash
        and events._record_position = copies._record_position
    left join {empty_in_file_by_file("raw.gitlab_resource_state_events", REQUIRED_IN_FILE)} as files
        on events._file_hash = files._file_hash
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    limit = settings.max_identifier_length
    return suite(
        SUITE_NAME,
        [
            expect(
                gxe.ExpectColumnValuesToBeNull,
                CRITICAL,
                "required_column_present",
                "a required field (" + ", ".join(REQUIRED_IN_FILE) + ") is missing from every event of the file",
                column="empty_required_columns",
            ),
            *[
                expect(
                    gxe.ExpectColumnValuesToNotBeNull,
                    QUARANTINE,
                    f"{c}_present",
                    f"state event has no {label}",
                    column=c,
                )
                for c, label in (
                    ("event_id", "id"),
                    ("resource_id", "issue (resource_id)"),
                    ("created_at", "timestamp (created_at)"),
                    ("state", "state"),
                )
            ],
            *timestamp_checks("created_at", "event time", settings),
            not_before_creation("created_at", "state event", settings),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "event_id_unique_in_file",
                "event id repeated within the same file (later copies are quarantined)",
                column="copy_number",
                min_value=1,
                max_value=1,
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "values_not_huge",
                f"a key, state or timestamp value is longer than {limit} characters",
                column="longest_identifier",
                max_value=limit,
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "state_known",
                "state is not opened, closed or reopened (does not move the status)",
                column="state_norm",
                value_set=STATES,
            ),
        ],
    )
