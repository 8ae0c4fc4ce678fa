"""Landing Linear CSV exports: real DuckDB files in a tmp dir."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flowmart.landing import land

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "linear"


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_linear_export_needs_its_workspace_and_lands_by_column_name(tmp_path):
    db = tmp_path / "w.duckdb"
    [refused] = land(db, [FIXTURES])
    assert refused.status == "refused"
    assert (
        refused.reason
        == "cannot tell the Linear workspace: the CSV export does not name it (pass --instance <workspace>)"
    )
    [landed] = land(db, [FIXTURES], instance="acme-mobility")
    assert (landed.status, landed.kind, landed.rows) == ("landed", "linear_issues", 3)
    assert rows(
        db,
        "select workspace, id, status, labels, started, completed, canceled, triaged, uuid "
        "from raw.linear_issues order by id",
    ) == [
        (
            "acme-mobility",
            "RID-1",
            "Done",
            "Bug",
            "2026-03-03T09:00:00.000Z",
            "2026-03-05T21:00:00.000Z",
            None,
            None,
            None,
        ),
        ("acme-mobility", "RID-2", "Canceled", "Feature", None, None, "2026-03-04T10:00:00.000Z", None, None),
        (
            "acme-mobility",
            "RID-3",
            "In Review",
            "Feature, Mobile",
            "2026-03-05T09:00:00.000Z",
            None,
            None,
            "2026-03-04T12:00:00.000Z",
            None,
        ),
    ]
    assert rows(db, "select description from raw.linear_issues where id = 'RID-2'") == [
        ('Duplicate of the "tips" epic, see RID-9',)
    ]


def test_other_csv_files_keep_their_meaning(tmp_path):
    db = tmp_path / "w.duckdb"
    interchange = tmp_path / "status_changes.csv"
    interchange.write_text(
        "source,instance,item_key,change_id,changed_at,from_status,to_status\n"
        "linear,acme,RID-1,c1,2026-03-03T09:00:00Z,Todo,In Progress\n"
    )
    short = tmp_path / "short.csv"
    short.write_text("ID,Team,Title,Status,Created,Started\nRID-9,Rider,,Todo,,\n")
    results = land(db, [interchange, short], instance="acme")
    assert [(r.status, r.kind) for r in results] == [("landed", "csv_status_changes"), ("refused", "linear_issues")]
    assert results[1].reason == "1 row(s) with an empty ID or Created"
    [wrong] = land(tmp_path / "other.duckdb", [interchange], source="linear", instance="acme")
    assert wrong.reason.startswith("not a linear export this version understands (expected a Linear CSV export")
