"""raw.csv_work_items: one row per line of a landed work_items.csv file (one snapshot of each item)."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.shared import QUARANTINE, WARNING, expect, key, text
from expectations.spec import Present, TableSpec, Timestamp, Unique

STATUS_CATEGORIES = ["new", "indeterminate", "done"]

SPEC = TableSpec(
    table="csv_work_items",
    suite_name="csv__work_items",
    unit="work item",
    required_in_file=("created_at", "status", "item_type"),
    required_message="a required column (created_at, status, item_type) has no value in the whole file",
    present=(
        Present("source", "source"),
        Present("instance", "instance"),
        Present("item_key", "item_key"),
        Present("created_at", "creation time (created_at)"),
    ),
    timestamps=(
        Timestamp("created_at", "creation time"),
        Timestamp("updated_at", "update time"),
        Timestamp("resolved_at", "resolution time"),
    ),
    unique=Unique("item_key_unique_in_file", ("lower(trim(source))", "trim(instance)", "trim(item_key)"), "item"),
    identifiers=(
        "source",
        "instance",
        "item_key",
        "item_type",
        "status",
        "status_category",
        "created_at",
        "updated_at",
        "resolved_at",
    ),
    long_text="title",
    columns={
        "status_category": f"lower({text('t.status_category')})",
        "source_norm": "lower(trim(t.source))",
        "status_key": key("t.source", "t.status"),
        "item_type_key": key("t.source", "t.item_type"),
    },
    checks=lambda mappings, settings: [
        expect(
            gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, "status_present", "work item has no status", column="status"
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
            "status is not in seeds/status_mappings.csv: its flow state comes from the tracker category, else it is unknown "
            "(neither started nor finished); `flowmart mappings check` shows the row to add",
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
    ],
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
