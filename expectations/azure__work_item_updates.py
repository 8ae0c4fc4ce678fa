"""raw.azure_work_item_updates: one row per update (revision) per landed Azure Boards updates file."""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.shared import QUARANTINE, WARNING, expect, key, text, utc
from expectations.spec import Present, TableSpec, Timestamp, Unique

# revisedDate of an item's latest revision is the open-ended 9999-01-01: not a time (staging ignores it)
REVISED = f"case when trim(updates.revised_date) not like '9999%' then {text('updates.revised_date')} end"


def _checks(mappings, settings):
    state_change = Column("is_state_change") == True  # noqa: E712 (a GX condition, not a Python test)
    return [
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "changed_at_present",
            "state change has no time (fields.System.ChangedDate or revisedDate)",
            column="changed_at_utc",
            row_condition=state_change & Column("changed_date").is_null(),
        ),
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "state_new_present",
            "state change has no target state (System.State newValue)",
            column="state_new",
            row_condition=state_change,
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "state_new_mapped",
            "new state is not in seeds/status_mappings.csv: its flow state comes from the tracker category, else it is unknown "
            "(neither started nor finished); `flowmart mappings check` shows the row to add",
            column="state_new_key",
            value_set=sorted(mappings.status_keys),
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "state_old_mapped",
            "old state is not in seeds/status_mappings.csv: its flow state comes from the tracker category, else it is unknown "
            "(neither started nor finished); `flowmart mappings check` shows the row to add",
            column="state_old_key",
            value_set=sorted(mappings.status_keys),
        ),
    ]


SPEC = TableSpec(
    table="azure_work_item_updates",
    suite_name="azure__work_item_updates",
    unit="update",
    alias="updates",
    required_message="no update of the file has a time (fields.System.ChangedDate or revisedDate)",
    # no update of the file carries a time: the file says nothing about when states changed
    empty_required_columns=f"case when count(coalesce({text('updates.changed_date')}, {REVISED})) "
    "over (partition by updates._file_hash) = 0 then 'changed_date, revised_date' end",
    present=(
        Present("organization", "organization"),
        Present("work_item_id", "work item (workItemId)"),
        Present("update_id", "id"),
    ),
    timestamps=(
        Timestamp("changed_date", "fields.System.ChangedDate.newValue"),
        Timestamp("revised_date", "revisedDate", source=REVISED),
    ),
    lookups={
        "items": f"select organization, work_item_id, min({utc('created_date')}) as item_created_at "
        "from raw.azure_work_items group by all"
    },
    joins="left join items\n        on updates.organization = items.organization\n"
    "        and updates.work_item_id = items.work_item_id",
    item_created_at="items.item_created_at",
    not_before_creation=(("changed_at", "update"),),
    unique=Unique(
        "rev_unique_in_file", ("organization", "work_item_id", "coalesce(rev, 'update:' || update_id)"), "revision"
    ),
    identifiers=(
        "organization",
        "work_item_id",
        "update_id",
        "rev",
        "changed_date",
        "revised_date",
        "state_old",
        "state_new",
    ),
    identifiers_what="a key, state or timestamp value",
    columns={
        # the update's time as staging takes it: System.ChangedDate, else revisedDate
        "changed_at_utc": f"coalesce({utc('updates.changed_date')}, {utc(REVISED)})",
        "state_old": text("updates.state_old"),
        "state_new": text("updates.state_new"),
        # a state change, as staging counts one: System.State has an oldValue
        "is_state_change": f"{text('updates.state_old')} is not null",
        "state_new_key": key("'azure'", "updates.state_new"),
        "state_old_key": key("'azure'", "updates.state_old"),
    },
    checks=_checks,
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
