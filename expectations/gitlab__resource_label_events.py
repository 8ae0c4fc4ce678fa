"""raw.gitlab_resource_label_events: one row per label event per landed page (issue by resource_id)."""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.shared import WARNING, expect, key, scope, text, utc
from expectations.spec import Present, TableSpec, Timestamp, Unique

ACTIONS = ["add", "remove"]

SPEC = TableSpec(
    table="gitlab_resource_label_events",
    suite_name="gitlab__resource_label_events",
    unit="label event",
    alias="events",
    required_in_file=("action", "label_name", "created_at"),
    required_message="a required field (action, label_name, created_at) is missing from every event of the file",
    present=(
        Present("event_id", "id"),
        Present("resource_id", "issue (resource_id)"),
        Present("created_at", "timestamp (created_at)"),
        Present("action", "action"),
        Present("label_name", "label"),
    ),
    timestamps=(Timestamp("created_at", "event time"),),
    lookups={
        "items": f"select issue_id, min({utc('created_at')}) as item_created_at from raw.gitlab_issues group by all"
    },
    joins="left join items\n        on lower(coalesce(events.resource_type, 'issue')) = 'issue'\n"
    "        and events.resource_id = items.issue_id",
    item_created_at="items.item_created_at",
    not_before_creation=(("created_at", "label event"),),
    unique=Unique("event_id_unique_in_file", ("event_id",), "event id"),
    identifiers=("event_id", "resource_type", "resource_id", "action", "label_name", "created_at"),
    identifiers_what="a key, label or timestamp value",
    columns={
        "action": f"lower({text('events.action')})",
        "label_key": key("'gitlab'", "events.label_name"),
        "label_scope_key": scope("'gitlab'", "events.label_name"),
    },
    checks=lambda mappings, settings: [
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "action_known",
            "action is not add or remove (counted as remove)",
            column="action",
            value_set=ACTIONS,
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "state_label_mapped",
            "label looks like a state label (its scope is used in seeds/label_states.csv) but is not in "
            "seeds/label_states.csv: it does not move the status",
            column="label_key",
            value_set=sorted(mappings.label_keys),
            row_condition=Column("label_scope_key").is_in(sorted(mappings.label_scopes) or ["(none)"]),
        ),
    ],
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
