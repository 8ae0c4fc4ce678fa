"""Publishing the marts: atomic switch, versions, rollback, Parquet + serving file, readers never blocked.

Real DuckDB files in tmp dirs, a stand-in warehouse (serving_helpers.make_fake_warehouse) so these run in
seconds; test_serving_build.py does the same on marts built by dbt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flowmart import publishing as publish_module
from flowmart.cli import main as flowmart
from flowmart.publishing import PublishError, current_version, list_versions, publish, rollback
from tests.integration.serving_helpers import CONSISTENCY_SQL, make_fake_warehouse

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def work_db(tmp_path) -> Path:
    db = tmp_path / "warehouse" / "flowmart.duckdb"
    db.parent.mkdir()
    make_fake_warehouse(db, items=100)
    return db


def one(path: Path, sql: str, **config):
    with duckdb.connect(str(path), read_only=True, config=config) as con:
        return con.execute(sql).fetchone()


def test_publish_writes_a_complete_version_and_points_current_at_it(work_db):
    result = publish(work_db)
    published = work_db.parent / "published"
    assert result.published_dir == published
    assert result.marts_file == published / "current" / "flowmart.duckdb"
    assert (published / "current").is_symlink()
    assert os.readlink(published / "current") == f"versions/{result.version_id}"  # relative: the folder can move
    assert [v.version_id for v in list_versions(published)] == [result.version_id]
    assert current_version(published) == result.version_id

    # every mart, with the work file's row counts; 100 items, 4 in 5 finished -> 80 finished
    assert result.tables["fct_work_items"] == 100
    assert set(result.tables) == {
        "dim_value_streams",
        "fct_work_items",
        "fct_flow_metrics",
        "fct_flow_daily",
        "fct_data_quality",
    }
    version, velocity, finished = one(result.marts_file, CONSISTENCY_SQL)
    assert (version, velocity, finished) == (result.version_id, 80, 80)
    # dbt's descriptions (persist_docs) travel with the tables, so BI tools show them
    assert one(result.marts_file, "select comment from duckdb_tables() where table_name = 'dim_value_streams'") == (
        "One row per value stream, plus unassigned.",
    )
    manifest = json.loads((result.version_dir / "manifest.json").read_text())
    assert manifest["version_id"] == result.version_id
    assert manifest["tables"]["fct_flow_metrics"]["partitioned_by"] == ["period_grain"]
    # no leftovers of the build
    assert sorted(p.name for p in published.iterdir()) == [".publish.lock", "current", "versions"]


def test_published_files_use_the_old_storage_format_bi_tools_can_read(work_db):
    result = publish(work_db)
    for name in ("flowmart.duckdb", "serving.duckdb"):
        header = (result.version_dir / name).read_bytes()[:20]
        # main header: 8-byte checksum, magic "DUCK", then the storage version number (uint64, little endian).
        # 64 = storage_version v1.0.0, readable by DuckDB 0.10 up to 1.5; duckdb 2.x writes 999 by default.
        assert header[8:12] == b"DUCK"
        assert int.from_bytes(header[12:20], "little") == 64
    assert one(result.marts_file, "select storage_version from meta.publication") == ("v1.0.0",)


def test_parquet_export_and_serving_file_return_the_same_rows_as_the_marts(work_db, tmp_path):
    result = publish(work_db)
    current = result.current_dir
    metrics = current / "parquet" / "fct_flow_metrics"
    assert sorted(p.name for p in metrics.iterdir()) == ["period_grain=month", "period_grain=quarter"]

    con = duckdb.connect(config={"file_search_path": str(current)})
    con.execute(f"attach '{result.marts_file}' as m (read_only)")
    con.execute(f"attach '{result.serving_file}' as s (read_only)")
    con.execute(f"attach '{work_db}' as w (read_only)")
    for table, rows in result.tables.items():
        for a, b in (("w", "m"), ("m", "w"), ("m", "s"), ("s", "m")):
            diff = con.execute(
                f"select count(*) from (select * from {a}.marts.{table} except all select * from {b}.marts.{table})"
            ).fetchone()[0]
            assert diff == 0, f"{table}: {diff} rows of {a} missing from {b}"
        assert con.execute(f"select count(*) from s.marts.{table}").fetchone()[0] == rows
        # same column names and types, in the same order (partition columns are moved back into place)
        describe = "select column_name, column_type from (describe {}.marts.{})"
        assert (
            con.execute(describe.format("s", table)).fetchall() == con.execute(describe.format("w", table)).fetchall()
        )
    con.close()

    # plain Parquet readers (no DuckDB file) get the same rows too, partition column from the folder names
    with duckdb.connect() as con:
        n = con.execute(
            f"select count(*) from read_parquet('{metrics}/*/*.parquet', hive_partitioning = true) "
            "where period_grain = 'month'"
        ).fetchone()[0]
    assert n == one(result.marts_file, "select count(*) from marts.fct_flow_metrics where period_grain = 'month'")[0]


def test_serving_folder_can_move(work_db, tmp_path):
    result = publish(work_db)
    moved = tmp_path / "elsewhere" / "flowmart"
    shutil.copytree(result.version_dir, moved)
    shutil.rmtree(result.published_dir)
    # the views hold relative paths: point file_search_path at the folder wherever it now is
    assert one(moved / "serving.duckdb", "select count(*) from marts.fct_work_items", file_search_path=str(moved)) == (
        100,
    )
    # and a DuckDB CLI started in that folder needs no setting at all
    code = (
        "import duckdb; print(duckdb.connect('serving.duckdb', read_only=True)"
        ".execute('select count(*) from marts.fct_work_items').fetchone()[0])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=moved, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "100"


def test_rollback_restores_the_previous_version(work_db):
    published = work_db.parent / "published"
    first = publish(work_db)
    make_fake_warehouse(work_db, items=150)  # a different build: 150 items, 120 finished
    second = publish(work_db)
    assert one(published / "current" / "flowmart.duckdb", CONSISTENCY_SQL) == (second.version_id, 120, 120)

    restored = rollback(published)
    assert restored.version_id == first.version_id
    assert one(published / "current" / "flowmart.duckdb", CONSISTENCY_SQL) == (first.version_id, 80, 80)
    assert one(
        published / "current" / "serving.duckdb",
        "select count(*) from marts.fct_work_items",
        file_search_path=str(published / "current"),
    ) == (100,)
    with pytest.raises(PublishError, match="no version older than"):
        rollback(published)
    # nothing was deleted: forward again by name
    rollback(published, to=second.version_id)
    assert one(published / "current" / "flowmart.duckdb", CONSISTENCY_SQL)[0] == second.version_id


def test_keep_prunes_old_versions_but_never_the_current_one(work_db):
    published = work_db.parent / "published"
    ids = [publish(work_db, keep=2).version_id for _ in range(3)]
    assert [v.version_id for v in list_versions(published)] == ids[1:]

    # an open connection to a version that is pruned keeps reading it (POSIX: the open file outlives unlink)
    held = duckdb.connect(str(published / "current" / "flowmart.duckdb"), read_only=True)
    rollback(published)  # current = ids[1]
    make_fake_warehouse(work_db, items=40)
    newest = publish(work_db, keep=1).version_id
    assert [v.version_id for v in list_versions(published)] == [newest]
    assert held.execute(CONSISTENCY_SQL).fetchone() == (ids[2], 80, 80)
    held.close()

    # pruning never removes the version current points at, even when a rollback made it older than the newest
    make_fake_warehouse(work_db, items=60)
    latest = publish(work_db, keep=2).version_id  # versions: newest, latest
    rollback(published)  # current = newest (older than latest)
    assert publish_module._prune(published, keep=1) == []
    assert [v.version_id for v in list_versions(published)] == [newest, latest]
    with pytest.raises(PublishError, match="at least 1"):
        publish(work_db, keep=0)


def test_a_failed_publish_leaves_current_untouched(work_db, monkeypatch):
    published = work_db.parent / "published"
    first = publish(work_db)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(publish_module, "_export_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        publish(work_db)
    assert current_version(published) == first.version_id
    assert [v.version_id for v in list_versions(published)] == [first.version_id]
    assert not [p for p in published.iterdir() if p.name.startswith(".building-")]


def test_publish_refuses_a_warehouse_another_process_is_writing(work_db):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (f"import duckdb, sys; c = duckdb.connect({str(work_db)!r}); print('open', flush=True); sys.stdin.read()"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(PublishError, match="being written by another process"):
            publish(work_db)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert not (work_db.parent / "published" / "current").exists()


def test_publish_without_parquet_writes_only_the_tables_file(work_db):
    result = publish(work_db, parquet=False)
    assert sorted(p.name for p in result.version_dir.iterdir()) == ["flowmart.duckdb", "manifest.json"]
    assert one(result.marts_file, "select count(*) from marts.fct_work_items") == (100,)


def test_publish_without_marts_is_a_user_error(tmp_path):
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(PublishError, match="no marts to publish"):
        publish(db)


def test_cli_publish_list_and_rollback(work_db, capsys):
    assert flowmart(["publish", "--db", str(work_db), "--keep", "2"]) == 0
    out = capsys.readouterr()
    assert f"published marts (read-only): {work_db.parent / 'published' / 'current' / 'flowmart.duckdb'}" in out.out
    assert "published 20" in out.err
    assert flowmart(["publish", "--db", str(work_db)]) == 0
    capsys.readouterr()
    assert flowmart(["publish", "--db", str(work_db), "--list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 2 and listing[1].endswith("<- current") and "5 marts" in listing[0]
    assert flowmart(["publish", "--db", str(work_db), "--rollback"]) == 0
    assert "current is now" in capsys.readouterr().out
    assert flowmart(["publish", "--db", str(work_db), "--rollback"]) == 2
    assert "no version older than" in capsys.readouterr().err
    assert flowmart(["publish", "--db", str(work_db.parent / "missing.duckdb")]) == 2
    assert "no such warehouse file" in capsys.readouterr().err


def start_reader(current: Path, tmp: Path, mode: str, pause: float = 0.0) -> tuple[subprocess.Popen, Path, Path]:
    stop, out = tmp / f"stop-{mode}", tmp / f"reader-{mode}.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.serving_helpers",
            str(current),
            str(stop),
            str(out),
            mode,
            str(pause),
        ],
        cwd=REPO,
    )
    return proc, stop, out


def stop_reader(proc: subprocess.Popen, stop: Path, out: Path) -> dict:
    stop.touch()
    proc.wait(timeout=60)
    assert proc.returncode == 0
    return json.loads(out.read_text())


def test_readers_in_other_processes_never_see_an_error_or_a_mixed_version(work_db, tmp_path):
    """Readers query while the warehouse is rebuilt and republished again and again."""
    published = work_db.parent / "published"
    publish(work_db, keep=2)
    current = published / "current"
    readers = [start_reader(current, tmp_path, "reopen"), start_reader(current, tmp_path, "hold", pause=0.01)]
    time.sleep(1.0)  # let both readers start querying the first version
    published_ids = []
    for items in (120, 60, 180, 90, 150, 30):
        make_fake_warehouse(work_db, items=items)  # the "build": writes the work file while readers read
        published_ids.append(publish(work_db, keep=2).version_id)
        time.sleep(0.3)
    summaries = [stop_reader(*r) for r in readers]

    for summary in summaries:
        assert summary["errors"] == [], summary["errors"][:3]
        assert summary["inconsistent"] == []
        assert summary["queries"] > 0
    reopen, hold = summaries
    # a reader that reconnects follows the publishes; one holding its connection stays on its first version
    assert len(reopen["versions"]) >= 3 and reopen["serving_queries"] > 0
    assert len(hold["versions"]) == 1
    assert reopen["versions"][-1] == published_ids[-1]
