"""raw.gitlab_issues: one row per issue per landed GitLab issue-list page."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.shared import QUARANTINE, WARNING, expect, key, text
from expectations.spec import Present, TableSpec, Timestamp, Unique

STATES = ["opened", "closed"]

SPEC = TableSpec(
    table="gitlab_issues",
    suite_name="gitlab__issues",
    unit="issue",
    required_in_file=("state", "created_at"),
    present=(
        Present("instance", "project path"),
        Present("issue_id", "id"),
        Present("issue_iid", "iid"),
        Present("created_at", "creation time (created_at)"),
    ),
    timestamps=(
        Timestamp("created_at", "creation time"),
        Timestamp("updated_at", "update time"),
        Timestamp("closed_at", "closing time"),
    ),
    unique=Unique("issue_iid_unique_in_file", ("trim(instance)", "trim(issue_iid)"), "issue"),
    identifiers=(
        "instance",
        "issue_id",
        "issue_iid",
        "project_id",
        "state",
        "issue_type",
        "created_at",
        "updated_at",
        "closed_at",
    ),
    identifiers_what="a key, state, type or timestamp value",
    long_text="title",
    columns={
        "state": text("t.state"),
        "state_norm": f"lower({text('t.state')})",
        # the status before labels count (int_gitlab__work_items)
        "status_key": f"case when {text('t.state')} is not null "
        "then 'gitlab|' || case when lower(trim(t.state)) = 'closed' then 'closed' else 'open' end end",
        "issue_type_key": key("'gitlab'", "coalesce(t.issue_type, 'issue')"),
    },
    checks=lambda mappings, settings: [
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "state_present",
            "issue has no state (opened / closed)",
            column="state",
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "state_known",
            "state is not opened or closed (counted as open)",
            column="state_norm",
            value_set=STATES,
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "status_mapped",
            "status (open, closed) is not in seeds/status_mappings.csv: its flow state comes from the tracker category, else it is unknown "
            "(neither started nor finished); `flowmart mappings check` shows the row to add",
            column="status_key",
            value_set=sorted(mappings.status_keys),
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "issue_type_mapped",
            "issue type is not in seeds/flow_item_types.csv",
            column="issue_type_key",
            value_set=sorted(mappings.type_keys),
        ),
    ],
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
