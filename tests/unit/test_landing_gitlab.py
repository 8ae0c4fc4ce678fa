"""Landing GitLab issues and resource state / label events: real DuckDB files in a tmp dir."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from flowmart.landing import land

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gitlab"


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_issues_and_resource_events_land_as_their_kinds(tmp_path):
    db = tmp_path / "w.duckdb"
    results = {r.path.name: (r.status, r.kind, r.rows) for r in land(db, [FIXTURES])}
    assert results == {
        "issues.json": ("landed", "gitlab_issues", 2),
        "issue_7_resource_label_events.json": ("landed", "gitlab_resource_label_events", 4),
        "issue_7_resource_state_events.json": ("landed", "gitlab_resource_state_events", 1),
        "issue_8_resource_label_events.json": ("landed", "gitlab_resource_label_events", 1),
        "issue_8_resource_state_events.json": ("landed", "gitlab_resource_state_events", 3),
    }
    # the project path comes from references.full ("acme-mobility/payments-api#7")
    assert rows(
        db, "select instance, issue_id, issue_iid, state, labels::varchar from raw.gitlab_issues order by issue_iid"
    ) == [
        ("acme-mobility/payments-api", "9007", "7", "closed", '["customer","workflow::in review"]'),
        ("acme-mobility/payments-api", "9008", "8", "closed", '["workflow::in dev"]'),
    ]
    assert rows(db, "select resource_id, state from raw.gitlab_resource_state_events order by event_id") == [
        ("9007", "closed"),
        ("9008", "closed"),
        ("9008", "reopened"),
        ("9008", "closed"),
    ]
    assert rows(
        db,
        "select event_id, action, label_name from raw.gitlab_resource_label_events where resource_id = '9007' "
        "order by event_id",
    ) == [
        ("70", "add", "customer"),
        ("71", "add", "workflow::in dev"),
        ("72", "remove", "workflow::in dev"),
        ("73", "add", "workflow::in review"),
    ]


def test_label_objects_and_bad_events(tmp_path):
    db = tmp_path / "w.duckdb"
    issues = json.loads((FIXTURES / "issues.json").read_text())
    issues[0]["labels"] = [{"id": 1, "name": "workflow::in dev", "color": "#fff"}]  # with_labels_details=true
    detailed = tmp_path / "detailed.json"
    detailed.write_text(json.dumps(issues[:1]))
    bad = tmp_path / "events.json"
    bad.write_text(
        json.dumps(
            [
                {
                    "id": 1,
                    "resource_type": "Issue",
                    "resource_id": 5,
                    "created_at": "2026-01-01T00:00:00Z",
                    "label": None,
                    "action": "add",
                }
            ]
        )
    )
    results = land(db, [detailed, bad])
    assert [r.status for r in results] == ["landed", "refused"]
    assert results[1].reason == "label event at position 1 lacks id, resource_id, created_at or its change"
    assert rows(db, "select labels::varchar from raw.gitlab_issues") == [('["workflow::in dev"]',)]
