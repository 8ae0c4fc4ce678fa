"""raw.linear_issues: one row per line of a landed Linear CSV export (the export has no history: the
status changes are rebuilt from its Triaged / Started / Completed / Canceled timestamps)."""

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
    key,
    latest_allowed,
    longest,
    not_before_creation,
    suite,
    text,
    timestamp_checks,
    utc,
)

TABLE = "linear_issues"
SUITE_NAME = "linear__issues"
REQUIRED_IN_FILE = ["status", "created"]
TIMESTAMPS = ("created", "updated", "triaged", "started", "completed", "canceled", "archived")
# the timestamps staging turns into status changes: none may lie before the creation
CHANGES = ("triaged", "started", "completed", "canceled")


def frame_sql(settings: GateSettings) -> str:
    timestamps = ",\n        ".join(f"{text(c)} as {c},\n        {utc(c)} as {c}_utc" for c in TIMESTAMPS)
    return f"""
    select
        _file_hash,
        _record_position,
        {text("workspace")} as workspace,
        {text("id")} as id,
        {text("status")} as status,
        {timestamps},
        {latest_allowed(settings)} as latest_allowed_at,
        {earliest_allowed(settings, utc("created"))} as earliest_allowed_at,
        {key("'linear'", "status")} as status_key,
        length(title) as title_length,
        coalesce(copies.copy_number, 1) as copy_number,
        {longest(["workspace", "id", "team", "status", *TIMESTAMPS])} as longest_identifier,
        files.empty_required_columns
    from raw.linear_issues
    left join {in_file_copies("raw.linear_issues", ["trim(workspace)", "trim(id)"])} as copies
        using (_file_hash, _record_position)
    left join {empty_in_file_by_file("raw.linear_issues", REQUIRED_IN_FILE)} as files
        using (_file_hash)
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    limit = settings.max_identifier_length
    timestamps = []
    for column in TIMESTAMPS:
        timestamps += timestamp_checks(column, column.capitalize(), settings)
    return suite(
        SUITE_NAME,
        [
            expect(
                gxe.ExpectColumnValuesToBeNull,
                CRITICAL,
                "required_column_present",
                "a required column (Status, Created) has no value in the whole file",
                column="empty_required_columns",
            ),
            *[
                expect(gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, f"{c}_present", f"issue has no {label}", column=c)
                for c, label in (
                    ("workspace", "workspace (--instance)"),
                    ("id", "ID"),
                    ("created", "creation time (Created)"),
                )
            ],
            *timestamps,
            *[not_before_creation(c, f"{c.capitalize()} (a status change)", settings) for c in CHANGES],
            expect(
                gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, "status_present", "issue has no Status", column="status"
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "id_unique_in_file",
                "issue repeated within the same file (later copies are quarantined)",
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
                "status_mapped",
                "Status is not in seeds/status_mappings.csv",
                column="status_key",
                value_set=sorted(mappings.status_keys),
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                WARNING,
                "title_not_huge",
                f"title longer than {settings.max_text_length:,} characters",
                column="title_length",
                max_value=settings.max_text_length,
            ),
        ],
    )
