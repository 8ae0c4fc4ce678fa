"""Serving the real marts: readers in other processes query the published warehouse throughout a full
refresh and a publish, with no error and always consistent numbers; rollback; Parquet = marts; semantic layer.

Real landing, real dbt (in-process, like `flowmart build`), real DuckDB files in a tmp dir.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import pytest

from flowmart.dbt import run_dbt
from flowmart.landing import land
from flowmart.publishing import publish, rollback
from tests.integration.serving_helpers import CONSISTENCY_SQL
from tests.integration.test_serving import REPO, start_reader, stop_reader

pytestmark = pytest.mark.slow

FIXTURES = REPO / "tests" / "fixtures" / "marts" / "landing"
FIVE_FLOW_METRICS = {
    "flow_velocity",
    "flow_time_p85_days",
    "flow_load",
    "flow_efficiency",
    "flow_distribution_feature_pct",
}

WORK_ITEMS_HEADER = (
    "source,instance,item_key,title,item_type,project,components,labels,area_path,parent_key,"
    "status,status_category,resolution,created_at,updated_at,resolved_at\n"
)


def write_two_more_items(folder: Path) -> list[Path]:
    """Two new finished items for the second build: the marts must grow by exactly two work items."""
    folder.mkdir(parents=True)
    (folder / "work_items.csv").write_text(
        WORK_ITEMS_HEADER + "csv,acme,Z-1,Checkout: new button,story,CHK,,,,,closed,done,Done,"
        "2026-03-02T09:00:00Z,2026-03-06T09:00:00Z,2026-03-06T09:00:00Z\n"
        + "csv,acme,Z-2,Checkout: tax fix,bug,CHK,,,,,closed,done,Fixed,"
        "2026-03-02T10:00:00Z,2026-03-09T10:00:00Z,2026-03-09T10:00:00Z\n"
    )
    (folder / "status_changes.csv").write_text(
        "source,instance,item_key,change_id,changed_at,from_status,to_status\n"
        "csv,acme,Z-1,1,2026-03-03T09:00:00Z,open,in progress\n"
        "csv,acme,Z-1,2,2026-03-06T09:00:00Z,in progress,closed\n"
        "csv,acme,Z-2,1,2026-03-04T10:00:00Z,open,in progress\n"
        "csv,acme,Z-2,2,2026-03-09T10:00:00Z,in progress,closed\n"
    )
    return [folder / "work_items.csv", folder / "status_changes.csv"]


def build(db: Path, target: Path, *extra: str) -> None:
    """`flowmart build` without the data tests (the marts' own tests, not serving's): seeds and models."""
    run_dbt(
        db,
        [
            "build",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            "--target-path",
            str(target),
            *extra,
        ],
    )


def test_readers_query_the_published_marts_throughout_a_full_refresh(tmp_path):
    db = tmp_path / "warehouse" / "flowmart.duckdb"
    target = tmp_path / "target"
    assert {r.status for r in land(db, [FIXTURES])} == {"landed"}
    build(db, target)
    first = publish(db, keep=3)
    work_items_v1 = first.tables["fct_work_items"]
    assert work_items_v1 > 0

    current = first.current_dir
    readers = [
        start_reader(current, tmp_path, "reopen", pause=0.05),
        start_reader(current, tmp_path, "hold", 0.05),
    ]
    time.sleep(1.0)
    assert {r.status for r in land(db, write_two_more_items(tmp_path / "more"))} == {"landed"}
    build(db, target, "--full-refresh")  # the work file is written (and locked) for the whole build
    second = publish(db, keep=3)
    time.sleep(1.5)  # let the reconnecting reader see the new version
    reopen, hold = (stop_reader(*r) for r in readers)

    for summary in (reopen, hold):
        assert summary["errors"] == [], summary["errors"][:3]
        assert summary["inconsistent"] == []  # velocity = finished items in every answer
    assert reopen["versions"] == [first.version_id, second.version_id]
    assert hold["versions"] == [first.version_id]
    # the second version has exactly the two new items
    assert second.tables["fct_work_items"] == work_items_v1 + 2

    # rollback restores the first version for new connections
    rollback(first.published_dir)
    with duckdb.connect(str(first.marts_file), read_only=True) as con:
        version, velocity, finished = con.execute(CONSISTENCY_SQL).fetchone()
        assert version == first.version_id and velocity == finished
        assert con.execute("select count(*) from marts.fct_work_items").fetchone()[0] == work_items_v1

    # the Parquet export and the serving file return the same rows as the real marts
    with duckdb.connect(config={"file_search_path": str(current)}) as con:
        con.execute(f"attach '{db}' as w (read_only)")  # the work file now holds the second build
        con.execute(f"attach '{second.version_dir / 'flowmart.duckdb'}' as m (read_only)")
        con.execute(f"attach '{second.version_dir / 'serving.duckdb'}' as s (read_only)")
        con.execute(f"set file_search_path = '{second.version_dir}'")
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'w' and schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        assert {"dim_value_streams", "fct_work_items", "fct_flow_metrics", "fct_flow_daily"} <= set(marts)
        for table in marts:
            for a, b in (("w", "m"), ("m", "w"), ("s", "m"), ("m", "s")):
                diff = con.execute(
                    f"select count(*) from (select * from {a}.marts.{table} except all select * from {b}.marts.{table})"
                ).fetchone()[0]
                assert diff == 0, f"{table}: {diff} rows of {a} not in {b}"

    # the example analyses compile and run as they are against the published file: the compiled SQL names the
    # catalog "flowmart", which is the work file's name here and the published file's name
    run_dbt(db, ["compile", "--select", "resource_type:analysis", "--target-path", str(target)])
    compiled = sorted((target / "compiled" / "flowmart" / "analyses").glob("*.sql"))
    assert {p.stem for p in compiled} >= {
        "flow_time_by_stream_this_quarter",
        "aging_work_in_progress",
        "flow_distribution_against_target",
    }
    with duckdb.connect(str(second.version_dir / "flowmart.duckdb"), read_only=True) as con:
        for path in compiled:
            assert '"flowmart"."marts".' in path.read_text()
            con.execute(path.read_text()).fetchall()
        # this quarter and the one before, for every stream with items and 'all'
        periods = con.execute(
            "select distinct period from ("
            + (target / "compiled" / "flowmart" / "analyses" / "flow_time_by_stream_this_quarter.sql").read_text()
            + ")"
        ).fetchall()
        assert {p[0] for p in periods} <= {"this quarter", "previous quarter"} and periods

    # analysts' documentation: every mart and every column it has is described in the dbt YAML (docs site,
    # and the comments BI tools show)
    manifest = json.loads((target / "manifest.json").read_text())
    described = {
        node["name"]: (node["description"], {c for c, v in node["columns"].items() if v.get("description")})
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    with duckdb.connect(str(second.version_dir / "flowmart.duckdb"), read_only=True) as con:
        built = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'marts'"
        ).fetchall()
    undescribed = sorted(f"{t}.{c}" for t, c in built if t in described and c not in described[t][1])
    assert undescribed == []
    assert all(description for description, _ in described.values())

    # the semantic layer parsed with the marts: the five flow metrics are defined
    semantic = json.loads((target / "semantic_manifest.json").read_text())
    assert FIVE_FLOW_METRICS <= {m["name"] for m in semantic["metrics"]}
