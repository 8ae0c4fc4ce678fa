"""raw.github_issue_events: one row per event per landed GitHub event page (repository or per-issue list)."""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.shared import QUARANTINE, WARNING, expect, key, scope, text, utc
from expectations.spec import Present, TableSpec, Timestamp, Unique

# the events that move an issue's synthetic status (flowmart.trackers.github.LIFECYCLE_EVENTS); timeline
# items such as cross-referenced or committed may lack an id or a time and are not status changes
LIFECYCLE_EVENTS = ["labeled", "unlabeled", "assigned", "unassigned", "closed", "reopened"]


def _checks(mappings, settings):
    lifecycle = Column("event").is_in(LIFECYCLE_EVENTS)
    return [
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "event_id_present",
            "label, assignment, close or reopen event has no id",
            column="event_id",
            row_condition=lifecycle,
        ),
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "created_at_present",
            "label, assignment, close or reopen event has no timestamp (created_at)",
            column="created_at",
            row_condition=lifecycle,
        ),
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "label_name_present",
            "labeled / unlabeled event names no label",
            column="label_name",
            row_condition=Column("event").is_in(["labeled", "unlabeled"]),
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
    ]


SPEC = TableSpec(
    table="github_issue_events",
    suite_name="github__issue_events",
    unit="event",
    alias="events",
    required_in_file=("event", "created_at"),
    present=(Present("instance", "repository"), Present("issue_number", "issue number")),
    timestamps=(Timestamp("created_at", "event time"),),
    lookups={
        "items": f"select instance, issue_number, min({utc('created_at')}) as item_created_at "
        "from raw.github_issues group by all"
    },
    joins="left join items\n        on events.instance = items.instance\n"
    "        and events.issue_number = items.issue_number",
    item_created_at="items.item_created_at",
    not_before_creation=(("created_at", "event"),),
    unique=Unique("event_id_unique_in_file", ("instance", "event_id"), "event id"),
    identifiers=("instance", "issue_number", "event_id", "event", "created_at", "label_name", "state_reason"),
    identifiers_what="a key, event, label or timestamp value",
    columns={
        "event_id": text("events.event_id"),
        "event": f"lower({text('events.event')})",
        "label_name": text("events.label_name"),
        "label_key": key("'github'", "events.label_name"),
        "label_scope_key": scope("'github'", "events.label_name"),
    },
    checks=_checks,
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
