"""raw.jira_issues: one row per issue per landed Jira search page (one snapshot of each issue)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.shared import (
    CRITICAL,
    EARLIEST_VALID,
    QUARANTINE,
    WARNING,
    GateSettings,
    Mappings,
    empty_in_file_by_file,
    expect,
    in_file_copies,
    key,
    latest_allowed,
    longest,
    suite,
    text,
    utc,
)

TABLE = "jira_issues"
SUITE_NAME = "jira__issues"
# fields that an export restricted with `fields=` may leave out: then the file cannot be used
REQUIRED_IN_FILE = ["status_name", "issue_type", "created"]
STATUS_CATEGORIES = ["new", "indeterminate", "done", "undefined"]


def frame_sql(settings: GateSettings) -> str:
    return f"""
    select
        _file_hash,
        _record_position,
        {text("instance")} as instance,
        {text("issue_id")} as issue_id,
        {text("issue_key")} as issue_key,
        {text("created")} as created,
        {text("updated")} as updated,
        {text("resolution_date")} as resolution_date,
        {text("status_name")} as status_name,
        {text("issue_type")} as issue_type,
        lower({text("status_category_key")}) as status_category,
        {utc("created")} as created_utc,
        {utc("updated")} as updated_utc,
        {utc("resolution_date")} as resolution_date_utc,
        {latest_allowed(settings)} as latest_allowed_at,
        {key("'jira'", "status_name")} as status_key,
        {key("'jira'", "issue_type")} as issue_type_key,
        length(summary) as summary_length,
        coalesce(copies.copy_number, 1) as copy_number,
        {
        longest(
            ["instance", "issue_id", "issue_key", "status_name", "issue_type", "created", "updated", "resolution_date"]
        )
    } as longest_identifier,
        files.empty_required_columns
    from raw.jira_issues
    left join {in_file_copies("raw.jira_issues", ["instance", "issue_id"])} as copies
        using (_file_hash, _record_position)
    left join {empty_in_file_by_file("raw.jira_issues", REQUIRED_IN_FILE)} as files
        using (_file_hash)
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    limit = settings.max_identifier_length
    timestamps = []
    for column, label in (
        ("created", "creation time"),
        ("updated", "update time"),
        ("resolution_date", "resolution time"),
    ):
        timestamps += [
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                f"{column}_parseable",
                f"fields.{column.replace('_date', 'date')} ({label}) is not a timestamp",
                column=f"{column}_utc",
                row_condition=Column(column).is_not_null(),
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                f"{column}_after_2000",
                f"fields.{column.replace('_date', 'date')} is before 2000",
                column=f"{column}_utc",
                min_value=EARLIEST_VALID,
            ),
            expect(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB,
                QUARANTINE,
                f"{column}_not_in_future",
                f"fields.{column.replace('_date', 'date')} is later than the file's landing time plus "
                f"{settings.future_tolerance_hours:g} h",
                column_A="latest_allowed_at",
                column_B=f"{column}_utc",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
        ]
    return suite(
        SUITE_NAME,
        [
            expect(
                gxe.ExpectColumnValuesToBeNull,
                CRITICAL,
                "required_column_present",
                "a required field (status, issuetype, created) is missing from every issue of the file "
                "(export restricted with fields=?)",
                column="empty_required_columns",
            ),
            *[
                expect(gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, f"{c}_present", f"issue has no {c}", column=c)
                for c in ("instance", "issue_id", "issue_key", "created")
            ],
            *timestamps,
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "status_present",
                "issue has no status (fields.status.name)",
                column="status_name",
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "issue_id_unique_in_file",
                "issue repeated within the same file (later copies are quarantined)",
                column="copy_number",
                min_value=1,
                max_value=1,
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "values_not_huge",
                f"a key, status, type or timestamp value is longer than {limit} characters",
                column="longest_identifier",
                max_value=limit,
            ),
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                WARNING,
                "issue_type_present",
                "issue has no issue type (counted as unmapped)",
                column="issue_type",
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "status_mapped",
                "status is not in seeds/status_mappings.csv (mapped by its status category)",
                column="status_key",
                value_set=sorted(mappings.status_keys),
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "issue_type_mapped",
                "issue type is not in seeds/flow_item_types.csv",
                column="issue_type_key",
                value_set=sorted(mappings.type_keys),
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "status_category_known",
                "status category is not new, indeterminate or done",
                column="status_category",
                value_set=STATUS_CATEGORIES,
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                WARNING,
                "summary_not_huge",
                f"summary longer than {settings.max_text_length:,} characters",
                column="summary_length",
                max_value=settings.max_text_length,
            ),
        ],
    )
