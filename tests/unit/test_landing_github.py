"""Landing GitHub issue and issue-event pages: real DuckDB files in a tmp dir."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from flowmart.landing import land

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "devlake-samples" / "github"


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_issue_and_event_pages_land_without_pull_requests(tmp_path):
    db = tmp_path / "w.duckdb"
    results = land(db, [FIXTURES])
    assert [(r.path.name, r.status, r.kind, r.rows) for r in results] == [
        # 22 events in the page, one of them on pull request #106
        ("issue_events_page_001.json", "landed", "github_issue_events", 21),
        # 7 entries in the page, #106 is a pull request
        ("issues_page_001.json", "landed", "github_issues", 6),
    ]
    assert rows(db, "select distinct instance from raw.github_issues") == [("acme-mobility/rider-app",)]
    assert rows(db, "select count(*) from raw.github_issues where issue_number = '106'") == [(0,)]
    assert rows(
        db,
        "select issue_number, state, state_reason, labels::varchar, assignees::varchar from raw.github_issues "
        "where issue_number in ('103', '104') order by issue_number",
    ) == [
        ("103", "closed", "completed", "[]", '["dana-k"]'),
        ("104", "closed", "not_planned", '["question","wontfix"]', "[]"),
    ]
    # the page lists the newest first (15 events are later than 03-04 10:00); within one second the
    # later event id comes first
    assert rows(
        db,
        "select event_id, event, label_name, _record_position from raw.github_issue_events "
        "where issue_number = '102' and created_at = '2026-03-04T10:00:00Z' order by _record_position",
    ) == [("3102004", "labeled", "status: in progress", 16), ("3102003", "unlabeled", "status: in progress", 17)]
    assert rows(db, "select distinct origin from raw.github_issue_events") == [("repository_events",)]
    log = rows(db, "select kind, status, rows from raw.landing_log order by kind")
    assert log == [("github_issue_events", "landed", 21), ("github_issues", "landed", 6)]


def test_landing_again_adds_nothing_and_source_flag_is_checked(tmp_path):
    db = tmp_path / "w.duckdb"
    land(db, [FIXTURES])
    assert {r.status for r in land(db, [FIXTURES], source="github")} == {"skipped"}
    assert rows(db, "select count(*) from raw.github_issues") == [(6,)]
    other = tmp_path / "statuses.json"
    other.write_text(json.dumps([{"id": "1", "name": "Open", "statusCategory": {"key": "new"}}]))
    [refused] = land(db, [other], source="github")
    assert refused.status == "refused"
    assert refused.reason.startswith("not a github export this version understands")


def test_per_issue_timeline_takes_its_number_from_the_file_name(tmp_path):
    db = tmp_path / "w.duckdb"
    timeline = [
        {
            "id": 9001,
            "node_id": "LE_1",
            "url": "https://api.github.com/repos/acme-mobility/rider-app/issues/events/9001",
            "actor": {"login": "dana-k"},
            "event": "labeled",
            "created_at": "2026-03-03T09:00:00Z",
            "label": {"name": "blocked", "color": "b60205"},
        },
        {
            "actor": {"login": "lee-m"},
            "event": "cross-referenced",
            "created_at": "2026-03-03T10:00:00Z",
            "source": {"type": "issue"},
        },  # timeline items of other kinds have no id: landed, ignored downstream
    ]
    good = tmp_path / "timeline_issue_42.json"
    good.write_text(json.dumps(timeline))
    nameless = tmp_path / "timeline.json"
    nameless.write_text(json.dumps(timeline[:1]))
    results = land(db, [good, nameless])
    assert [(r.status, r.rows) for r in results] == [("landed", 2), ("refused", 0)]
    assert "does not name its issue" in results[1].reason
    assert rows(
        db, "select instance, issue_number, event, origin from raw.github_issue_events order by _record_position"
    )[0] == ("acme-mobility/rider-app", "42", "labeled", "issue_events")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            [{"number": 1, "title": "x", "state": "open", "html_url": "https://github.com/o/r/issues/1"}],
            "issue at position 1 lacks number or created_at",
        ),
        (
            [{"number": 1, "title": "x", "state": "open", "html_url": "h", "created_at": "2026-01-01T00:00:00Z"}],
            "cannot tell the repository: issue at position 1 has no repository_url (pass --instance owner/repo)",
        ),
        (
            [{"event": "closed", "actor": None, "created_at": "2026-01-01T00:00:00Z", "id": 5, "issue": {"number": 3}}],
            "cannot tell the repository: event at position 1 has no url (pass --instance owner/repo)",
        ),
    ],
)
def test_bad_github_pages_are_refused_with_reason(tmp_path, content, reason):
    db = tmp_path / "w.duckdb"
    path = tmp_path / "page.json"
    path.write_text(json.dumps(content))
    [result] = land(db, [path])
    assert (result.status, result.reason) == ("refused", reason)
    assert rows(db, "select count(*) from raw.github_issues") == [(0,)]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/datasets is not here (a user's clone)")
def test_real_devlake_github_payloads_land_as_they_are(tmp_path):
    db = tmp_path / "w.duckdb"
    results = {r.path.name: r for r in land(db, [SHARED])}
    assert all(r.status == "landed" for r in results.values()), [r.line() for r in results.values()]
    # README: the issue list includes pull requests (18 of 59 entries); the events page has 49 events,
    # 10 of them on pull requests (#206, #210, #211)
    assert results["issues.json"].rows == 59 - 18
    assert results["events.json"].rows == 49 - 10
    assert rows(db, "select distinct instance from raw.github_issue_events") == [("panjf2000/ants",)]
