"""Landing Azure Boards work items and updates: real DuckDB files in a tmp dir."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from flowmart.landing import land

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "azure"


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_work_items_and_updates_land(tmp_path):
    db = tmp_path / "w.duckdb"
    results = {r.path.name: (r.status, r.kind, r.rows) for r in land(db, [FIXTURES])}
    assert results == {
        "workitemsbatch.json": ("landed", "azure_work_items", 4),
        "workitem_501_updates.json": ("landed", "azure_work_item_updates", 6),
        "workitem_502_updates.json": ("landed", "azure_work_item_updates", 5),
        "workitem_503_updates.json": ("landed", "azure_work_item_updates", 2),
    }
    assert rows(
        db,
        "select organization, project, work_item_id, work_item_type, state, area_path, tags, parent_id "
        "from raw.azure_work_items order by work_item_id",
    ) == [
        ("acme-mobility", "Fleet", "501", "User Story", "Closed", "Fleet\\Maps", "maps; frontend", None),
        ("acme-mobility", "Fleet", "502", "Bug", "Closed", "Fleet\\Telematics", "gps", "501"),
        ("acme-mobility", "Fleet", "503", "Task", "Removed", "Fleet\\Maps", None, None),
        ("acme-mobility", "Fleet", "504", "User Story", "New", "Fleet", None, None),
    ]
    # item 501: rev 1 sets the initial state, revs 2 and 4 change no state
    assert rows(
        db,
        "select rev, changed_date, state_old, state_new from raw.azure_work_item_updates "
        "where work_item_id = '501' order by rev::int",
    ) == [
        ("1", "2026-03-02T08:00:00Z", None, "New"),
        ("2", "2026-03-02T12:00:00Z", None, None),
        ("3", "2026-03-03T08:00:00Z", "New", "Active"),
        ("4", "2026-03-04T08:00:00Z", None, None),
        ("5", "2026-03-05T08:00:00Z", "Active", "Resolved"),
        ("6", "2026-03-06T08:00:00Z", "Resolved", "Closed"),
    ]


def test_single_work_item_organization_from_visualstudio_url_and_refusals(tmp_path):
    db = tmp_path / "w.duckdb"
    batch = json.loads((FIXTURES / "workitemsbatch.json").read_text())
    single = dict(batch["value"][3], url="https://acme-legacy.visualstudio.com/_apis/wit/workItems/504")
    one = tmp_path / "workitem_504.json"
    one.write_text(json.dumps(single))
    nourl = tmp_path / "nourl.json"
    nourl.write_text(json.dumps({"count": 1, "value": [dict(batch["value"][0], url=None)]}))
    notarray = tmp_path / "bad.json"
    notarray.write_text(json.dumps({"count": 1, "value": {"id": 1}}))
    results = land(db, [one, nourl, notarray])
    assert [(r.status, r.kind) for r in results] == [
        ("landed", "azure_work_items"),
        ("refused", None),
        ("refused", None),
    ]
    assert results[1].reason == (
        "cannot tell the Azure DevOps organization: work item at position 1 has no dev.azure.com url "
        "(pass --instance <organization>)"
    )
    assert rows(db, "select organization from raw.azure_work_items") == [("acme-legacy",)]
    [again] = land(db, [nourl], instance="acme-mobility")
    assert again.status == "landed"
