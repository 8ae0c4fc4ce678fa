"""raw.gitlab_resource_state_events: one row per state event per landed page. Events name their issue by
resource_id, the issue's global id (int_gitlab__status_changes joins on it)."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.shared import WARNING, expect, text, utc
from expectations.spec import Present, TableSpec, Timestamp, Unique

STATES = ["opened", "closed", "reopened"]

SPEC = TableSpec(
    table="gitlab_resource_state_events",
    suite_name="gitlab__resource_state_events",
    unit="state event",
    alias="events",
    required_in_file=("state", "created_at"),
    required_message="a required field (state, created_at) is missing from every event of the file",
    present=(
        Present("event_id", "id"),
        Present("resource_id", "issue (resource_id)"),
        Present("created_at", "timestamp (created_at)"),
        Present("state", "state"),
    ),
    timestamps=(Timestamp("created_at", "event time"),),
    lookups={
        "items": f"select issue_id, min({utc('created_at')}) as item_created_at from raw.gitlab_issues group by all"
    },
    joins="left join items\n        on lower(coalesce(events.resource_type, 'issue')) = 'issue'\n"
    "        and events.resource_id = items.issue_id",
    item_created_at="items.item_created_at",
    not_before_creation=(("created_at", "state event"),),
    unique=Unique("event_id_unique_in_file", ("event_id",), "event id"),
    identifiers=("event_id", "resource_type", "resource_id", "state", "created_at"),
    identifiers_what="a key, state or timestamp value",
    columns={"state_norm": f"lower({text('events.state')})"},
    checks=lambda mappings, settings: [
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "state_known",
            "state is not opened, closed or reopened (does not move the status)",
            column="state_norm",
            value_set=STATES,
        ),
    ],
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
