"""raw.csv_work_items: one row per line of a landed work_items.csv file (one snapshot of each item)."""

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
    key,
    latest_allowed,
    longest,
    suite,
    text,
    utc,
)

TABLE = "csv_work_items"
SUITE_NAME = "csv__work_items"
REQUIRED_IN_FILE = ["created_at", "status", "item_type"]
STATUS_CATEGORIES = ["new", "indeterminate", "done"]


def frame_sql(settings: GateSettings) -> str:
    return f"""
    select
        _file_hash,
        _record_position,
        {text("source")} as source,
        {text("instance")} as instance,
        {text("item_key")} as item_key,
        {text("created_at")} as created_at,
        {text("updated_at")} as updated_at,
        {text("resolved_at")} as resolved_at,
        {text("status")} as status,
        {text("item_type")} as item_type,
        lower({text("status_category")}) as status_category,
        {utc("created_at")} as created_at_utc,
        {utc("updated_at")} as updated_at_utc,
        {utc("resolved_at")} as resolved_at_utc,
        {latest_allowed(settings)} as latest_allowed_at,
        lower(trim(source)) as source_norm,
        {key("source", "status")} as status_key,
        {key("source", "item_type")} as item_type_key,
        length(title) as title_length,
        row_number() over (
            partition by _file_hash, lower(trim(source)), trim(instance), trim(item_key)
            order by _record_position
        ) as copy_number,
        {
        longest(
            [
                "source",
                "instance",
                "item_key",
                "item_type",
                "status",
                "status_category",
                "created_at",
                "updated_at",
                "resolved_at",
            ]
        )
    } as longest_identifier,
        files.empty_required_columns
    from raw.csv_work_items
    left join {empty_in_file_by_file("raw.csv_work_items", REQUIRED_IN_FILE)} as files
        using (_file_hash)
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    limit = settings.max_identifier_length
    timestamps = []
    for column, label in (
        ("created_at", "creation time"),
        ("updated_at", "update time"),
        ("resolved_at", "resolution time"),
    ):
        timestamps += [
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                f"{column}_parseable",
                f"{column} ({label}) is not a timestamp",
                column=f"{column}_utc",
                row_condition=Column(column).is_not_null(),
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                f"{column}_after_2000",
                f"{column} is before 2000",
                column=f"{column}_utc",
                min_value=EARLIEST_VALID,
            ),
            expect(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB,
                QUARANTINE,
                f"{column}_not_in_future",
                f"{column} is later than the file's landing time plus {settings.future_tolerance_hours:g} h",
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
                "a required column (" + ", ".join(REQUIRED_IN_FILE) + ") has no value in the whole file",
                column="empty_required_columns",
            ),
            *[
                expect(gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, f"{c}_present", f"work item has no {c}", column=c)
                for c in ("source", "instance", "item_key")
            ],
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "created_at_present",
                "work item has no creation time (created_at)",
                column="created_at",
            ),
            *timestamps,
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "status_present",
                "work item has no status",
                column="status",
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "item_key_unique_in_file",
                "item repeated within the same file (later copies are quarantined)",
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
                "item_type_present",
                "work item has no item_type (counted as unmapped)",
                column="item_type",
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "source_known",
                "source is not a known tracker (not in the mapping seeds)",
                column="source_norm",
                value_set=sorted(mappings.known_sources),
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "status_mapped",
                "status is not in seeds/status_mappings.csv",
                column="status_key",
                value_set=sorted(mappings.status_keys),
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "item_type_mapped",
                "item_type is not in seeds/flow_item_types.csv",
                column="item_type_key",
                value_set=sorted(mappings.type_keys),
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "status_category_known",
                "status_category is not new, indeterminate or done",
                column="status_category",
                value_set=STATUS_CATEGORIES,
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
