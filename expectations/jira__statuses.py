"""raw.jira_statuses: one row per status per landed /rest/api/2/status list."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.shared import WARNING, expect, text
from expectations.spec import Present, TableSpec, Unique

STATUS_CATEGORIES = ["new", "indeterminate", "done", "undefined"]

SPEC = TableSpec(
    table="jira_statuses",
    suite_name="jira__statuses",
    unit="status",
    present=(Present("instance", "instance"), Present("status_id", "status_id"), Present("status_name", "status_name")),
    unique=Unique("status_id_unique_in_file", ("instance", "status_id"), "status id"),
    identifiers=("instance", "status_id", "status_name", "status_category_key"),
    identifiers_what="a status value",
    columns={"status_category": f"lower({text('t.status_category_key')})"},
    checks=lambda mappings, settings: [
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "status_category_known",
            "status category is not new, indeterminate, done or undefined",
            column="status_category",
            value_set=STATUS_CATEGORIES,
        ),
    ],
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
