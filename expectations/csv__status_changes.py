"""raw.csv_status_changes: one row per line of a landed status_changes.csv file."""

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
    earliest_allowed,
    empty_in_file_by_file,
    expect,
    key,
    latest_allowed,
    longest,
    suite,
    text,
    utc,
)

TABLE = "csv_status_changes"
SUITE_NAME = "csv__status_changes"
REQUIRED_IN_FILE = ["changed_at", "to_status"]


def frame_sql(settings: GateSettings) -> str:
    return f"""
    with

    items as (
        select
            lower(trim(source)) as source,
            trim(instance) as instance,
            trim(item_key) as item_key,
            min({utc("created_at")}) as item_created_at
        from raw.csv_work_items
        group by all
    ),

    changes as (
        select
            *,
            lower(trim(source)) as source_norm,
            trim(instance) as instance_norm,
            trim(item_key) as item_key_norm
        from raw.csv_status_changes
    )

    select
        changes._file_hash,
        changes._record_position,
        {text("changes.source")} as source,
        {text("changes.instance")} as instance,
        {text("changes.item_key")} as item_key,
        {text("changes.change_id")} as change_id,
        {text("changes.changed_at")} as changed_at,
        {text("changes.to_status")} as to_status,
        {utc("changes.changed_at")} as changed_at_utc,
        {latest_allowed(settings, "changes._landed_at")} as latest_allowed_at,
        {earliest_allowed(settings, "items.item_created_at")} as earliest_allowed_at,
        changes.source_norm,
        {key("changes.source", "changes.from_status")} as from_status_key,
        {key("changes.source", "changes.to_status")} as to_status_key,
        row_number() over (
            partition by changes._file_hash, changes.source_norm, changes.instance_norm, changes.item_key_norm,
                trim(changes.change_id)
            order by changes._record_position
        ) as copy_number,
        {
        longest(
            [
                "changes.source",
                "changes.instance",
                "changes.item_key",
                "changes.change_id",
                "changes.changed_at",
                "changes.from_status",
                "changes.to_status",
            ]
        )
    } as longest_identifier,
        files.empty_required_columns
    from changes
    left join items
        on changes.source_norm = items.source
        and changes.instance_norm = items.instance
        and changes.item_key_norm = items.item_key
    left join {empty_in_file_by_file("changes", REQUIRED_IN_FILE)} as files
        on changes._file_hash = files._file_hash
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    limit = settings.max_identifier_length
    return suite(
        SUITE_NAME,
        [
            # critical: the file cannot be used at all
            expect(
                gxe.ExpectColumnValuesToBeNull,
                CRITICAL,
                "required_column_present",
                "a required column (" + ", ".join(REQUIRED_IN_FILE) + ") has no value in the whole file",
                column="empty_required_columns",
            ),
            # row level: these rows move to raw.quarantine
            *[
                expect(gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, f"{c}_present", f"change has no {c}", column=c)
                for c in ("source", "instance", "item_key", "change_id")
            ],
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "changed_at_present",
                "change has no timestamp (changed_at)",
                column="changed_at",
            ),
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "changed_at_parseable",
                "changed_at is not a timestamp",
                column="changed_at_utc",
                row_condition=Column("changed_at").is_not_null(),
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "changed_at_after_2000",
                "changed_at is before 2000",
                column="changed_at_utc",
                min_value=EARLIEST_VALID,
            ),
            expect(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB,
                QUARANTINE,
                "changed_at_not_in_future",
                f"changed_at is later than the file's landing time plus {settings.future_tolerance_hours:g} h",
                column_A="latest_allowed_at",
                column_B="changed_at_utc",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            expect(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB,
                QUARANTINE,
                "changed_at_not_before_creation",
                f"change is earlier than its item's creation minus {settings.before_creation_tolerance_minutes:g} min",
                column_A="changed_at_utc",
                column_B="earliest_allowed_at",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "to_status_present",
                "change has no target status (to_status)",
                column="to_status",
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "change_id_unique_in_file",
                "change id repeated within the same file (later copies are quarantined)",
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
            # warnings: reported only
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
                "to_status_mapped",
                "to_status is not in seeds/status_mappings.csv",
                column="to_status_key",
                value_set=sorted(mappings.status_keys),
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "from_status_mapped",
                "from_status is not in seeds/status_mappings.csv",
                column="from_status_key",
                value_set=sorted(mappings.status_keys),
            ),
        ],
    )
