"""raw.github_issues: one row per issue per landed GitHub issue-list page (pull requests skipped at landing)."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.shared import QUARANTINE, WARNING, expect, key, text
from expectations.spec import Present, TableSpec, Timestamp, Unique

STATES = ["open", "closed"]
# the status the issue has before labels and assignees count (int_github__work_items)
BASE_STATUS = """case
        when lower(trim(t.state)) = 'closed' and lower(trim(t.state_reason)) in ('not_planned', 'duplicate')
            then 'closed (not planned)'
        when lower(trim(t.state)) = 'closed' then 'closed (completed)'
        else 'open'
    end"""

SPEC = TableSpec(
    table="github_issues",
    suite_name="github__issues",
    unit="issue",
    required_in_file=("state", "created_at"),
    present=(
        Present("instance", "repository"),
        Present("issue_number", "number"),
        Present("created_at", "creation time (created_at)"),
    ),
    timestamps=(
        Timestamp("created_at", "creation time"),
        Timestamp("updated_at", "update time"),
        Timestamp("closed_at", "closing time"),
    ),
    unique=Unique("issue_number_unique_in_file", ("trim(instance)", "trim(issue_number)"), "issue"),
    identifiers=(
        "instance",
        "issue_id",
        "issue_number",
        "state",
        "state_reason",
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
        "status_key": f"case when {text('t.state')} is not null then 'github|' || {BASE_STATUS} end",
        "issue_type_key": key("'github'", "coalesce(t.issue_type, 'Issue')"),
    },
    checks=lambda mappings, settings: [
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "state_present",
            "issue has no state (open / closed)",
            column="state",
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "state_known",
            "state is not open or closed (counted as open)",
            column="state_norm",
            value_set=STATES,
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "status_mapped",
            "status (open, closed (completed), closed (not planned)) is not in seeds/status_mappings.csv: its flow state comes from the tracker category, else it is unknown "
            "(neither started nor finished); `flowmart mappings check` shows the row to add",
            column="status_key",
            value_set=sorted(mappings.status_keys),
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "issue_type_mapped",
            "issue type (type.name, else Issue) is not in seeds/flow_item_types.csv",
            column="issue_type_key",
            value_set=sorted(mappings.type_keys),
        ),
    ],
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
