"""The GitHub / Azure Boards demo generator: deterministic, API-shaped, lands cleanly."""

from __future__ import annotations

import json
from datetime import date

import duckdb

from flowmart.demo.trackers import generate_trackers
from flowmart.landing import land


def test_same_arguments_give_identical_files_that_land(tmp_path):
    first = generate_trackers(tmp_path / "a", items=60, seed=7, end=date(2026, 6, 1))
    generate_trackers(tmp_path / "b", items=60, seed=7, end=date(2026, 6, 1))
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.json"))
    assert files_a == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.json"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)
    # 60 items: round(60 * 0.55) = 33 GitHub entries (issues and pull requests), 27 Azure work items
    assert first["azure_work_items"] == 27
    issues = [i for p in (tmp_path / "a" / "github").rglob("issues_page_*.json") for i in json.loads(p.read_text())]
    assert len(issues) == 33 and first["github_issues"] == sum("pull_request" not in i for i in issues)

    db = tmp_path / "w.duckdb"
    results = land(db, [tmp_path / "a"])
    assert {r.status for r in results} == {"landed"}
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from raw.github_issues").fetchone()[0] == first["github_issues"]
        assert con.execute("select count(*) from raw.azure_work_items").fetchone()[0] == 27
        # every event and update is before the export instant (end 00:00 UTC)
        assert con.execute("select max(created_at) < '2026-06-01' from raw.github_issue_events").fetchone()[0]
        assert con.execute("select max(changed_date) < '2026-06-01' from raw.azure_work_item_updates").fetchone()[0]
