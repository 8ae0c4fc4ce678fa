"""raw.jira_issues: one row per issue per landed Jira search page (one snapshot of each issue)."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.shared import QUARANTINE, WARNING, expect, jira_status_row, key, status_checks, text, utc
from expectations.spec import Present, TableSpec, Timestamp, Unique

STATUS_CATEGORIES = ["new", "indeterminate", "done", "undefined"]

SPEC = TableSpec(
    table="jira_issues",
    suite_name="jira__issues",
    unit="issue",
    # fields that an export restricted with `fields=` may leave out: then the file cannot be used
    required_in_file=("status_name", "issue_type", "created"),
    required_message="a required field (status, issuetype, created) is missing from every issue of the file "
    "(export restricted with fields=?)",
    present=(
        Present("instance", "instance"),
        Present("issue_id", "issue_id"),
        Present("issue_key", "issue_key"),
        Present("created", "created"),
    ),
    timestamps=(
        Timestamp("created", "creation time", name="fields.created"),
        Timestamp("updated", "update time", name="fields.updated"),
        Timestamp("resolution_date", "resolution time", name="fields.resolutiondate"),
    ),
    unique=Unique("issue_id_unique_in_file", ("instance", "issue_id"), "issue"),
    identifiers=(
        "instance",
        "issue_id",
        "issue_key",
        "status_name",
        "issue_type",
        "created",
        "updated",
        "resolution_date",
    ),
    long_text="summary",
    # the issue id that holds each key with the newest update: a key held by two issue ids (an issue deleted
    # and recreated, or another moved onto its key) keeps only the newer one; the older snapshot is set aside
    lookups={
        "key_holders": f"""select instance, issue_key,
            max_by(issue_id, coalesce({utc("updated")}, timestamp '1900-01-01')) as newest_issue_id
        from raw.jira_issues
        where issue_key is not null
        group by instance, issue_key
        having count(distinct issue_id) > 1"""
    },
    joins="""left join key_holders
        on t.instance = key_holders.instance
        and t.issue_key = key_holders.issue_key""",
    revalidate_when="key_holders.newest_issue_id <> t.issue_id",
    columns={
        "key_held_by": "case when key_holders.newest_issue_id <> t.issue_id then key_holders.newest_issue_id end",
        "status_category": f"lower({text('t.status_category_key')})",
        "status_row": jira_status_row("t.instance", "t.status_id", "t.status_name"),
        "issue_type_key": key("'jira'", "t.issue_type"),
    },
    checks=lambda mappings, settings: [
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "status_present",
            "issue has no status (fields.status.name)",
            column="status_name",
        ),
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            WARNING,
            "issue_type_present",
            "issue has no issue type (counted as unmapped)",
            column="issue_type",
        ),
        expect(
            gxe.ExpectColumnValuesToBeNull,
            QUARANTINE,
            "key_not_held_by_a_newer_issue",
            "another issue id holds this key with a newer update (the issue was deleted and recreated, or another "
            "was moved onto its key): this older snapshot is set aside, the newer one is kept",
            column="key_held_by",
        ),
        *status_checks("status_row", "status", mappings),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "issue_type_mapped",
            "issue type is not in seeds/flow_item_types.csv",
            column="issue_type_key",
            value_set=sorted(mappings.type_keys),
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "status_category_known",
            "status category is not new, indeterminate or done",
            column="status_category",
            value_set=STATUS_CATEGORIES,
        ),
    ],
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
