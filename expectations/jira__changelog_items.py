"""raw.jira_changelog_items: one row per changelog history item per landed file (embedded changelogs of
search pages and changelog pages)."""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.shared import (
    QUARANTINE,
    expect,
    jira_status_row,
    not_before_creation,
    status_checks,
    text,
    utc,
)
from expectations.spec import Present, TableSpec, Timestamp, Unique

ORIGINS = ["search", "changelog_page"]


def _checks(mappings, settings):
    return [
        not_before_creation("history_created", "change", settings, check="history_not_before_creation", item="issue"),
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "to_status_present",
            "status change has no target status (toString)",
            column="to_status",
            row_condition=Column("field") == "status",
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            QUARANTINE,
            "origin_known",
            "origin is not search or changelog_page",
            column="origin",
            value_set=ORIGINS,
        ),
        *status_checks("to_status_row", "to_status", mappings),
        *status_checks("from_status_row", "from_status", mappings),
    ]


SPEC = TableSpec(
    table="jira_changelog_items",
    suite_name="jira__changelog_items",
    unit="changelog item",
    alias="items",
    present=(
        Present("instance", "Jira site"),
        Present("issue_ref", "issue id or key"),
        Present("history_id", "history id"),
        Present("history_created", "timestamp (history created)"),
    ),
    timestamps=(Timestamp("history_created", "history created", name="history created"),),
    # the item's creation: the earliest `created` of any landed snapshot, by id and by key (changelog pages
    # may address their issue by key only)
    lookups={
        "created_by_id": f"select instance, issue_id, min({utc('created')}) as item_created_at "
        "from raw.jira_issues group by all",
        # only the keys changelog items use alone (the items of changelog pages named by key): joining
        # every chunk to a second lookup of every issue cost as much as the first
        "created_by_key": f"select issues.instance, issues.issue_key, min({utc('issues.created')}) as item_created_at "
        "from raw.jira_issues as issues "
        "inner join (select distinct instance, issue_key from raw.jira_changelog_items where issue_id is null) "
        "as key_only on issues.instance = key_only.instance and issues.issue_key = key_only.issue_key "
        "group by all",
    },
    joins="""left join created_by_id
        on items.issue_id is not null
        and items.instance = created_by_id.instance
        and items.issue_id = created_by_id.issue_id
    left join created_by_key
        on items.issue_id is null
        and items.instance = created_by_key.instance
        and items.issue_key = created_by_key.issue_key""",
    item_created_at="coalesce(created_by_id.item_created_at, created_by_key.item_created_at)",
    # an item known only by key (changelog pages may give no id) is identified by its key
    unique=Unique(
        "history_item_unique_in_file",
        ("instance", "coalesce(issue_id, 'key:' || issue_key)", "history_id", "item_position"),
        "changelog item",
    ),
    identifiers=(
        "instance",
        "issue_id",
        "issue_key",
        "history_id",
        "history_created",
        "field",
        "from_string",
        "to_string",
    ),
    identifiers_what="a key, status or timestamp value",
    columns={
        "issue_ref": f"coalesce({text('items.issue_id')}, {text('items.issue_key')})",
        "field": "items.field",
        "origin": "items.origin",
        "to_status": f"case when items.field = 'status' then {text('items.to_string')} end",
        "to_status_row": (
            f"case when items.field = 'status' then "
            f"{jira_status_row('items.instance', 'items.to_value', 'items.to_string')} end"
        ),
        "from_status_row": (
            f"case when items.field = 'status' then "
            f"{jira_status_row('items.instance', 'items.from_value', 'items.from_string')} end"
        ),
    },
    checks=_checks,
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
