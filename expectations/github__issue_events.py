"""raw.github_issue_events: one row per event per landed GitHub event page (repository or per-issue list)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

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
    key,
    latest_allowed,
    longest,
    not_before_creation,
    scope,
    suite,
    text,
    timestamp_checks,
    utc,
)

TABLE = "github_issue_events"
SUITE_NAME = "github__issue_events"
REQUIRED_IN_FILE = ["event", "created_at"]
# the events that move an issue's synthetic status (flowmart.trackers.github.LIFECYCLE_EVENTS); timeline
# items such as cross-referenced or committed may lack an id or a time and are not status changes
LIFECYCLE_EVENTS = ["labeled", "unlabeled", "assigned", "unassigned", "closed", "reopened"]


def frame_sql(settings: GateSettings) -> str:
    return f"""
    with

    items as (
        select instance, issue_number, min({utc("created_at")}) as item_created_at
        from raw.github_issues
        group by all
    )

    select
        events._file_hash,
        events._record_position,
        {text("events.instance")} as instance,
        {text("events.issue_number")} as issue_number,
        {text("events.event_id")} as event_id,
        lower({text("events.event")}) as event,
        {text("events.created_at")} as created_at,
        {text("events.label_name")} as label_name,
        {utc("events.created_at")} as created_at_utc,
        {latest_allowed(settings, "events._landed_at")} as latest_allowed_at,
        {earliest_allowed(settings, "items.item_created_at")} as earliest_allowed_at,
        {key("'github'", "events.label_name")} as label_key,
        {scope("'github'", "events.label_name")} as label_scope_key,
        coalesce(copies.copy_number, 1) as copy_number,
        {
        longest(
            [
                "events.instance",
                "events.issue_number",
                "events.event_id",
                "events.event",
                "events.created_at",
                "events.label_name",
                "events.state_reason",
            ]
        )
    } as longest_identifier,
        files.empty_required_columns
    from raw.github_issue_events as events
    left join items
        on events.instance = items.instance
        and events.issue_number = items.issue_number
    left join {in_file_copies("raw.github_issue_events", ["instance", "event_id"])} as copies
        on events._file_hash = copies._file_hash
        and events._record_position = copies._record_position
    left join {empty_in_file_by_file("raw.github_issue_events", REQUIRED_IN_FILE)} as files
        on events._file_hash = files._file_hash
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    limit = settings.max_identifier_length
    lifecycle = Column("event").is_in(LIFECYCLE_EVENTS)
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
                expect(gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, f"{c}_present", f"event has no {label}", column=c)
                for c, label in (("instance", "repository"), ("issue_number", "issue number"))
            ],
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "event_id_present",
                "label, assignment, close or reopen event has no id",
                column="event_id",
                row_condition=lifecycle,
            ),
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "created_at_present",
                "label, assignment, close or reopen event has no timestamp (created_at)",
                column="created_at",
                row_condition=lifecycle,
            ),
            *timestamp_checks("created_at", "event time", settings),
            not_before_creation("created_at", "event", settings),
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "label_name_present",
                "labeled / unlabeled event names no label",
                column="label_name",
                row_condition=Column("event").is_in(["labeled", "unlabeled"]),
            ),
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
                f"a key, event, label or timestamp value is longer than {limit} characters",
                column="longest_identifier",
                max_value=limit,
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "state_label_mapped",
                "label looks like a state label (its scope is used in seeds/label_states.csv) but is not in "
                "seeds/label_states.csv: it does not move the status",
                column="label_key",
                value_set=sorted(mappings.label_keys),
                row_condition=Column("label_scope_key").is_in(sorted(mappings.label_scopes) or ["(none)"]),
            ),
        ],
    )
