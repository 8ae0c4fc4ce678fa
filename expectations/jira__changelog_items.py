"""raw.jira_changelog_items: one row per changelog history item per landed file (embedded or paged)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.shared import (
    EARLIEST_VALID,
    QUARANTINE,
    WARNING,
    GateSettings,
    Mappings,
    earliest_allowed,
    expect,
    in_file_copies,
    key,
    latest_allowed,
    longest,
    suite,
    text,
    utc,
)

TABLE = "jira_changelog_items"
SUITE_NAME = "jira__changelog_items"
ORIGINS = ["search", "changelog_page"]


def frame_sql(settings: GateSettings) -> str:
    # the item's creation: the earliest `created` of any landed snapshot, by id and by key
    # (changelog pages may address their issue by key only)
    return f"""
    with

    created_by_id as (
        select instance, issue_id, min({utc("created")}) as item_created_at
        from raw.jira_issues
        group by all
    ),

    created_by_key as (
        select instance, issue_key, min({utc("created")}) as item_created_at
        from raw.jira_issues
        group by all
    )

    select
        items._file_hash,
        items._record_position,
        {text("items.instance")} as instance,
        coalesce({text("items.issue_id")}, {text("items.issue_key")}) as issue_ref,
        {text("items.history_id")} as history_id,
        {text("items.history_created")} as history_created,
        items.field,
        items.origin,
        case when items.field = 'status' then {text("items.to_string")} end as to_status,
        case when items.field = 'status' then {key("'jira'", "items.to_string")} end as to_status_key,
        case when items.field = 'status' then {key("'jira'", "items.from_string")} end as from_status_key,
        {utc("items.history_created")} as history_created_utc,
        {latest_allowed(settings, "items._landed_at")} as latest_allowed_at,
        {earliest_allowed(settings, "coalesce(created_by_id.item_created_at, created_by_key.item_created_at)")}
            as earliest_allowed_at,
        coalesce(copies.copy_number, 1) as copy_number,
        {
        longest(
            [
                "items.instance",
                "items.issue_id",
                "items.issue_key",
                "items.history_id",
                "items.history_created",
                "items.field",
                "items.from_string",
                "items.to_string",
            ]
        )
    }
            as longest_identifier
    from raw.jira_changelog_items as items
    left join created_by_id
        on items.issue_id is not null
        and items.instance = created_by_id.instance
        and items.issue_id = created_by_id.issue_id
    left join created_by_key
        on items.issue_id is null
        and items.instance = created_by_key.instance
        and items.issue_key = created_by_key.issue_key
    -- an item known only by key (changelog pages may give no id) is identified by its key
    left join {
        in_file_copies(
            "raw.jira_changelog_items",
            ["instance", "coalesce(issue_id, 'key:' || issue_key)", "history_id", "item_position"],
        )
    }
        as copies
        on items._file_hash = copies._file_hash
        and items._record_position = copies._record_position
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    limit = settings.max_identifier_length
    return suite(
        SUITE_NAME,
        [
            *[
                expect(
                    gxe.ExpectColumnValuesToNotBeNull,
                    QUARANTINE,
                    f"{c}_present",
                    f"changelog item has no {label}",
                    column=c,
                )
                for c, label in (
                    ("instance", "Jira site"),
                    ("issue_ref", "issue id or key"),
                    ("history_id", "history id"),
                    ("history_created", "timestamp (history created)"),
                )
            ],
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "history_created_parseable",
                "history created is not a timestamp",
                column="history_created_utc",
                row_condition=Column("history_created").is_not_null(),
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "history_created_after_2000",
                "history created is before 2000",
                column="history_created_utc",
                min_value=EARLIEST_VALID,
            ),
            expect(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB,
                QUARANTINE,
                "history_created_not_in_future",
                f"history created is later than the file's landing time plus {settings.future_tolerance_hours:g} h",
                column_A="latest_allowed_at",
                column_B="history_created_utc",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            expect(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB,
                QUARANTINE,
                "history_not_before_creation",
                f"change is earlier than its issue's creation minus {settings.before_creation_tolerance_minutes:g} min",
                column_A="history_created_utc",
                column_B="earliest_allowed_at",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "to_status_present",
                "status change has no target status (toString)",
                column="to_status",
                row_condition=Column("field") == "status",
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                QUARANTINE,
                "origin_known",
                "origin is not search or changelog_page",
                column="origin",
                value_set=ORIGINS,
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "history_item_unique_in_file",
                "changelog item repeated within the same file (later copies are quarantined)",
                column="copy_number",
                min_value=1,
                max_value=1,
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "values_not_huge",
                f"a key, status or timestamp value is longer than {limit} characters",
                column="longest_identifier",
                max_value=limit,
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "to_status_mapped",
                "status is not in seeds/status_mappings.csv (mapped by its status category)",
                column="to_status_key",
                value_set=sorted(mappings.status_keys),
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "from_status_mapped",
                "status is not in seeds/status_mappings.csv (mapped by its status category)",
                column="from_status_key",
                value_set=sorted(mappings.status_keys),
            ),
        ],
    )
