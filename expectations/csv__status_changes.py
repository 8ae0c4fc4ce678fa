"""raw.csv_status_changes: one row per line of a landed status_changes.csv file."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.shared import QUARANTINE, WARNING, expect, key, text, utc
from expectations.spec import Present, TableSpec, Timestamp, Unique

SPEC = TableSpec(
    table="csv_status_changes",
    suite_name="csv__status_changes",
    unit="change",
    alias="changes",
    required_in_file=("changed_at", "to_status"),
    required_message="a required column (changed_at, to_status) has no value in the whole file",
    present=(
        Present("source", "source"),
        Present("instance", "instance"),
        Present("item_key", "item_key"),
        Present("change_id", "change_id"),
        Present("changed_at", "timestamp (changed_at)"),
    ),
    timestamps=(Timestamp("changed_at", "the time of the change"),),
    # the change's item: matched like staging matches it (source lower case, everything trimmed)
    lookups={
        "items": f"""select lower(trim(source)) as source, trim(instance) as instance, trim(item_key) as item_key,
            min({utc("created_at")}) as item_created_at
        from raw.csv_work_items
        group by all"""
    },
    joins="left join items\n        on lower(trim(changes.source)) = items.source\n"
    "        and trim(changes.instance) = items.instance\n        and trim(changes.item_key) = items.item_key",
    item_created_at="items.item_created_at",
    not_before_creation=(("changed_at", "change"),),
    unique=Unique(
        "change_id_unique_in_file",
        ("lower(trim(source))", "trim(instance)", "trim(item_key)", "trim(change_id)"),
        "change id",
    ),
    identifiers=("source", "instance", "item_key", "change_id", "changed_at", "from_status", "to_status"),
    identifiers_what="a key, status or timestamp value",
    columns={
        "to_status": text("changes.to_status"),
        "source_norm": "lower(trim(changes.source))",
        "from_status_key": key("changes.source", "changes.from_status"),
        "to_status_key": key("changes.source", "changes.to_status"),
    },
    checks=lambda mappings, settings: [
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "to_status_present",
            "change has no target status (to_status)",
            column="to_status",
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
            "to_status_mapped",
            "to_status is not in seeds/status_mappings.csv: its flow state comes from the tracker category, else it is unknown "
            "(neither started nor finished); `flowmart mappings check` shows the row to add",
            column="to_status_key",
            value_set=sorted(mappings.status_keys),
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "from_status_mapped",
            "from_status is not in seeds/status_mappings.csv: its flow state comes from the tracker category, else it is unknown "
            "(neither started nor finished); `flowmart mappings check` shows the row to add",
            column="from_status_key",
            value_set=sorted(mappings.status_keys),
        ),
    ],
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
