"""raw.azure_work_item_updates: one row per update (revision) per landed Azure Boards updates file."""

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

TABLE = "azure_work_item_updates"
SUITE_NAME = "azure__work_item_updates"


def frame_sql(settings: GateSettings) -> str:
    # revisedDate of an item's latest revision is the open-ended 9999-01-01: not a time (staging ignores it)
    revised = f"case when trim(updates.revised_date) not like '9999%' then {text('updates.revised_date')} end"
    # the update's time as staging takes it: System.ChangedDate, else revisedDate
    changed_at = f"coalesce({utc('updates.changed_date')}, {utc(revised)})"
    return f"""
    with

    items as (
        select organization, work_item_id, min({utc("created_date")}) as item_created_at
        from raw.azure_work_items
        group by all
    )

    select
        updates._file_hash,
        updates._record_position,
        {text("updates.organization")} as organization,
        {text("updates.work_item_id")} as work_item_id,
        {text("updates.update_id")} as update_id,
        {text("updates.changed_date")} as changed_date,
        {revised} as revised_date,
        {utc("updates.changed_date")} as changed_date_utc,
        {utc(revised)} as revised_date_utc,
        {changed_at} as changed_at_utc,
        {text("updates.state_old")} as state_old,
        {text("updates.state_new")} as state_new,
        -- a state change, as staging counts one: System.State has an oldValue
        {text("updates.state_old")} is not null as is_state_change,
        {latest_allowed(settings, "updates._landed_at")} as latest_allowed_at,
        {earliest_allowed(settings, "items.item_created_at")} as earliest_allowed_at,
        {key("'azure'", "updates.state_new")} as state_new_key,
        {key("'azure'", "updates.state_old")} as state_old_key,
        coalesce(copies.copy_number, 1) as copy_number,
        {
        longest(
            [
                "updates.organization",
                "updates.work_item_id",
                "updates.update_id",
                "updates.rev",
                "updates.changed_date",
                "updates.revised_date",
                "updates.state_old",
                "updates.state_new",
            ]
        )
    }
            as longest_identifier,
        -- no update of the file carries a time: the file says nothing about when states changed
        case when count(coalesce({text("updates.changed_date")}, {revised})) over (partition by updates._file_hash) = 0
            then 'changed_date, revised_date' end as empty_required_columns
    from raw.azure_work_item_updates as updates
    left join items
        on updates.organization = items.organization
        and updates.work_item_id = items.work_item_id
    left join {
        in_file_copies(
            "raw.azure_work_item_updates", ["organization", "work_item_id", "coalesce(rev, 'update:' || update_id)"]
        )
    } as copies
        on updates._file_hash = copies._file_hash
        and updates._record_position = copies._record_position
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    limit = settings.max_identifier_length
    state_change = Column("is_state_change") == True  # noqa: E712 (a GX condition, not a Python test)
    return suite(
        SUITE_NAME,
        [
            expect(
                gxe.ExpectColumnValuesToBeNull,
                CRITICAL,
                "required_column_present",
                "no update of the file has a time (fields.System.ChangedDate or revisedDate)",
                column="empty_required_columns",
            ),
            *[
                expect(
                    gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, f"{c}_present", f"update has no {label}", column=c
                )
                for c, label in (
                    ("organization", "organization"),
                    ("work_item_id", "work item (workItemId)"),
                    ("update_id", "id"),
                )
            ],
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "changed_at_present",
                "state change has no time (fields.System.ChangedDate or revisedDate)",
                column="changed_at_utc",
                row_condition=state_change & Column("changed_date").is_null(),
            ),
            *timestamp_checks("changed_date", "fields.System.ChangedDate.newValue", settings),
            *timestamp_checks("revised_date", "revisedDate", settings),
            not_before_creation("changed_at", "update", settings),
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "state_new_present",
                "state change has no target state (System.State newValue)",
                column="state_new",
                row_condition=state_change,
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "rev_unique_in_file",
                "revision repeated within the same file (later copies are quarantined)",
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
                "state_new_mapped",
                "new state is not in seeds/status_mappings.csv",
                column="state_new_key",
                value_set=sorted(mappings.status_keys),
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "state_old_mapped",
                "old state is not in seeds/status_mappings.csv",
                column="state_old_key",
                value_set=sorted(mappings.status_keys),
            ),
        ],
    )
