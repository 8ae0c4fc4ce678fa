"""flowmart/spark_check.py's comparison and flowmart/raw_export.py, without Spark (make spark-check runs both
engines; the slow test at the end does it too when pyspark is installed)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil

import duckdb
import pyarrow as pa
import pytest

from flowmart import settings
from flowmart.raw_export import export_raw
from flowmart.spark_check import compare_mart, primary_keys

T = dt.datetime(2026, 3, 1, 10, 0, 0, 123456)


def tables(spark_rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    """A DuckDB mart and the same mart as Spark hands it over (Arrow, timestamps with a UTC zone)."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute("create table duck (work_item_id varchar, finished_at timestamp, flow_time_days double, n integer)")
    con.execute("insert into duck values ('a', ?, 1.5, 1), ('b', null, null, 2)", [T])
    ids, finished, days, counts = zip(*spark_rows, strict=True)
    arrow = pa.table(
        {
            "work_item_id": pa.array(ids),
            "finished_at": pa.array(
                [f.replace(tzinfo=dt.UTC) if f else None for f in finished], pa.timestamp("us", tz="UTC")
            ),
            "flow_time_days": pa.array(days, pa.float64()),
            "n": pa.array(counts, pa.int64()),
        }
    )
    con.register("spark_rows", arrow)
    return con


def compare(spark_rows: list[tuple]):
    return compare_mart(tables(spark_rows), "fct_x", "duck", "spark_rows", ["work_item_id"])


def test_the_same_rows_in_any_order_are_identical_within_the_tolerance():
    result = compare([("b", None, None, 2), ("a", T, 1.5 + 1e-12, 1)])
    assert result.problems == []
    assert result.line() == "fct_x: identical (2 rows)"


@pytest.mark.parametrize(
    ("spark_rows", "expected"),
    [
        ([("a", T, 1.5 + 1e-6, 1), ("b", None, None, 2)], "flow_time_days differs in 1 rows"),
        ([("a", T, 1.5, 1), ("b", None, 0.0, 2)], "flow_time_days differs in 1 rows"),
        ([("a", T + dt.timedelta(microseconds=1), 1.5, 1), ("b", None, None, 2)], "finished_at differs in 1 rows"),
        ([("a", T, 1.5, 3), ("b", None, None, 2)], "n differs in 1 rows"),
        ([("a", T, 1.5, 1)], "1 rows only on DuckDB"),
        ([("a", T, 1.5, 1), ("b", None, None, 2), ("c", None, None, 3)], "1 rows only on Spark"),
    ],
)
def test_any_difference_is_reported_with_an_example(spark_rows, expected):
    result = compare(spark_rows)
    assert result.problems and expected in "; ".join(result.problems)
    assert result.line().startswith("fct_x: DIFFERENT")


def test_every_mart_has_a_primary_key_to_match_rows_on():
    keys = primary_keys(settings.PROJECT_DIR)
    marts = [p.stem for p in (settings.PROJECT_DIR / "models" / "marts").glob("*.sql")]
    assert marts and all(keys.get(mart) for mart in marts), {m: keys.get(m) for m in marts}
    assert keys["int_status_changes_unioned"] == ["work_item_id", "change_id"]


def test_raw_export_writes_every_raw_table_with_json_as_text(tmp_path):
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.jira_issues (issue_key varchar, fields json, _landed_at timestamptz)")
        con.execute("""insert into raw.jira_issues values ('PAY-1', '{"a": 1}', '2026-03-01 10:00:00+00')""")
        con.execute("create table raw.quarantine (record json)")
    assert export_raw(db, tmp_path / "out") == {"jira_issues": 1, "quarantine": 0}
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        rows = con.execute(
            f"select issue_key, fields, typeof(fields), _landed_at from '{tmp_path}/out/jira_issues/*.parquet'"
        ).fetchall()
        assert rows == [("PAY-1", '{"a": 1}', "VARCHAR", dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC))]
        assert con.execute(f"select count(*) from '{tmp_path}/out/quarantine/*.parquet'").fetchall() == [(0,)]


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
    reason="needs the spark extra (pip install -e '.[spark]') and Java 17; make spark-check runs it",
)
def test_spark_check_finds_every_mart_identical(tmp_path):
    from flowmart.spark_check import main

    assert main(["--workdir", str(tmp_path)]) == 0
