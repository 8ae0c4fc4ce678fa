"""raw.azure_work_items: one row per work item per landed Azure Boards workitemsbatch / workitems file."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.shared import (
    CRITICAL,
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
    timestamp_checks,
    utc,
)

TABLE = "azure_work_items"
SUITE_NAME = "azure__work_items"
# fields that a request listing `fields` may leave out: then the file cannot be used
REQUIRED_IN_FILE = ["state", "work_item_type", "created_date"]
TIMESTAMPS = (
    ("created_date", "System.CreatedDate"),
    ("changed_date", "System.ChangedDate"),
    ("state_change_date", "Microsoft.VSTS.Common.StateChangeDate"),
    ("activated_date", "Microsoft.VSTS.Common.ActivatedDate"),
    ("resolved_date", "Microsoft.VSTS.Common.ResolvedDate"),
    ("closed_date", "Microsoft.VSTS.Common.ClosedDate"),
)


def frame_sql(settings: GateSettings) -> str:
    timestamps = ",\n        ".join(f"{text(c)} as {c},\n        {utc(c)} as {c}_utc" for c, _ in TIMESTAMPS)
    return f"""
    select
        _file_hash,
        _record_position,
        {text("organization")} as organization,
        {text("project")} as project,
        {text("work_item_id")} as work_item_id,
        {text("state")} as state,
        {text("work_item_type")} as work_item_type,
        {timestamps},
        {latest_allowed(settings)} as latest_allowed_at,
        {key("'azure'", "state")} as status_key,
        {key("'azure'", "work_item_type")} as work_item_type_key,
        length(title) as title_length,
        coalesce(copies.copy_number, 1) as copy_number,
        {
        longest(
            [
                "organization",
                "project",
                "work_item_id",
                "rev",
                "work_item_type",
                "state",
                "reason",
                *[c for c, _ in TIMESTAMPS],
            ]
        )
    } as longest_identifier,
        files.empty_required_columns
    from raw.azure_work_items
    left join {in_file_copies("raw.azure_work_items", ["organization", "work_item_id"])} as copies
        using (_file_hash, _record_position)
    left join {empty_in_file_by_file("raw.azure_work_items", REQUIRED_IN_FILE)} as files
        using (_file_hash)
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    limit = settings.max_identifier_length
    timestamps = []
    for column, name in TIMESTAMPS:
        timestamps += timestamp_checks(column, f"fields.{name}", settings)
    return suite(
        SUITE_NAME,
        [
            expect(
                gxe.ExpectColumnValuesToBeNull,
                CRITICAL,
                "required_column_present",
                "a required field (System.State, System.WorkItemType, System.CreatedDate) is missing from every "
                "work item of the file (request restricted with fields?)",
                column="empty_required_columns",
            ),
            *[
                expect(
                    gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, f"{c}_present", f"work item has no {label}", column=c
                )
                for c, label in (
                    ("organization", "organization"),
                    ("project", "project (System.TeamProject)"),
                    ("work_item_id", "id"),
                    ("created_date", "creation time (System.CreatedDate)"),
                )
            ],
            *timestamps,
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "state_present",
                "work item has no state (System.State)",
                column="state",
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "work_item_id_unique_in_file",
                "work item repeated within the same file (later copies are quarantined)",
                column="copy_number",
                min_value=1,
                max_value=1,
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "values_not_huge",
                f"a key, state, type or timestamp value is longer than {limit} characters",
                column="longest_identifier",
                max_value=limit,
            ),
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                WARNING,
                "work_item_type_present",
                "work item has no type (System.WorkItemType; counted as unmapped)",
                column="work_item_type",
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "status_mapped",
                "state is not in seeds/status_mappings.csv",
                column="status_key",
                value_set=sorted(mappings.status_keys),
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "work_item_type_mapped",
                "work item type is not in seeds/flow_item_types.csv",
                column="work_item_type_key",
                value_set=sorted(mappings.type_keys),
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
