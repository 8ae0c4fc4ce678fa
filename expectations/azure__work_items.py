"""raw.azure_work_items: one row per work item per landed Azure Boards work item batch."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.shared import QUARANTINE, WARNING, expect, key
from expectations.spec import Present, TableSpec, Timestamp, Unique

TIMESTAMPS = (
    ("created_date", "System.CreatedDate"),
    ("changed_date", "System.ChangedDate"),
    ("state_change_date", "Microsoft.VSTS.Common.StateChangeDate"),
    ("activated_date", "Microsoft.VSTS.Common.ActivatedDate"),
    ("resolved_date", "Microsoft.VSTS.Common.ResolvedDate"),
    ("closed_date", "Microsoft.VSTS.Common.ClosedDate"),
)

SPEC = TableSpec(
    table="azure_work_items",
    suite_name="azure__work_items",
    unit="work item",
    # fields that a request listing `fields` may leave out: then the file cannot be used
    required_in_file=("state", "work_item_type", "created_date"),
    required_message="a required field (System.State, System.WorkItemType, System.CreatedDate) is missing from "
    "every work item of the file (request restricted with fields?)",
    present=(
        Present("organization", "organization"),
        Present("project", "project (System.TeamProject)"),
        Present("work_item_id", "id"),
        Present("created_date", "creation time (System.CreatedDate)"),
    ),
    timestamps=tuple(Timestamp(c, f"fields.{name}") for c, name in TIMESTAMPS),
    unique=Unique("work_item_id_unique_in_file", ("organization", "work_item_id"), "work item"),
    identifiers=(
        "organization",
        "project",
        "work_item_id",
        "rev",
        "work_item_type",
        "state",
        "reason",
        *(c for c, _ in TIMESTAMPS),
    ),
    identifiers_what="a key, state, type or timestamp value",
    long_text="title",
    columns={
        "status_key": key("'azure'", "t.state"),
        "work_item_type_key": key("'azure'", "t.work_item_type"),
    },
    checks=lambda mappings, settings: [
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "state_present",
            "work item has no state (System.State)",
            column="state",
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
            "state is not in seeds/status_mappings.csv: its flow state comes from the tracker category, else it is unknown "
            "(neither started nor finished); `flowmart mappings check` shows the row to add",
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
    ],
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
