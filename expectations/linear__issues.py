"""raw.linear_issues: one row per line of a landed Linear CSV export (the export has no history: the
status changes are rebuilt from its Triaged / Started / Completed / Canceled timestamps)."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.shared import QUARANTINE, WARNING, expect, key, utc
from expectations.spec import Present, TableSpec, Timestamp, Unique

TIMESTAMPS = ("created", "updated", "triaged", "started", "completed", "canceled", "archived")
# the timestamps int_linear__status_changes turns into status changes: none may lie before the creation
CHANGES = ("triaged", "started", "completed", "canceled")

SPEC = TableSpec(
    table="linear_issues",
    suite_name="linear__issues",
    unit="issue",
    required_in_file=("status", "created"),
    required_message="a required column (Status, Created) has no value in the whole file",
    present=(
        Present("workspace", "workspace (--instance)"),
        Present("id", "ID"),
        Present("created", "creation time (Created)"),
    ),
    timestamps=tuple(Timestamp(c, c.capitalize()) for c in TIMESTAMPS),
    item_created_at=utc("t.created"),
    not_before_creation=tuple((c, f"{c.capitalize()} (a status change)") for c in CHANGES),
    unique=Unique("id_unique_in_file", ("trim(workspace)", "trim(id)"), "issue"),
    identifiers=("workspace", "id", "team", "status", *TIMESTAMPS),
    identifiers_what="a key, status or timestamp value",
    long_text="title",
    columns={"status_key": key("'linear'", "t.status")},
    checks=lambda mappings, settings: [
        expect(gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, "status_present", "issue has no Status", column="status"),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "status_mapped",
            "Status is not in seeds/status_mappings.csv: its flow state comes from the tracker category, else it is unknown "
            "(neither started nor finished); `flowmart mappings check` shows the row to add",
            column="status_key",
            value_set=sorted(mappings.status_keys),
        ),
    ],
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
