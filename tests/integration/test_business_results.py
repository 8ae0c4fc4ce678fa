"""business_results.csv: landed like any CSV interchange file, guarded by the gate like any input, read by
staging (real landing, real GX, real dbt). Values in fct_stream_outcomes: tests/integration/test_marts.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flowmart.dbt import DbtSettings, run_dbt
from flowmart.gate import run_gate
from flowmart.landing import land
from tests.integration.conftest import project_copy, query

HEADER = "value_stream_id,period_start,metric,value,unit\n"
VALUE_STREAMS = (
    "value_stream_id,name,customer_segment,persona,stream_kind,serves,north_star_metric,start_trigger,"
    "finish_line,outcome\n"
    "checkout,Checkout,SMB,Shopper,top_level,,Conversion rate,,,\n"
    "platform,Platform,Internal,Engineer,supporting,checkout,Lead time for changes,,,\n"
)
# row positions (1 = first line after the header) and what the gate makes of them
ROWS = [
    "checkout,2026-01-01,Conversion rate,2.9,%",  # 1 fine: the stream's north-star metric
    "checkout,2026-01-01,revenue,100000,EUR",  # 2 fine
    "checkout,2026-01-15,cost,1000,EUR",  # 3 warning: not the first of a month (counts for January)
    "checkout,Jan 2026,revenue,5,EUR",  # 4 quarantine: period_start is not a date
    'checkout,2026-02-01,revenue,"1,000",EUR',  # 5 quarantine: value not a number
    "checkout,2026-02-01,profit,3,EUR",  # 6 quarantine: metric neither standard nor the north star
    "platform,2026-02-01,Conversion rate,3,%",  # 7 quarantine: another stream's north-star metric
    "mystery,2026-02-01,revenue,10,EUR",  # 8 warning: stream not in the seed (kept)
    "mystery,2026-02-01,Whatever,1,x",  # 9 warning only: an unknown stream's metric is not judged
    "checkout,2026-01-01,revenue,99,EUR",  # 10 quarantine: row 2's stream, month and metric again
    "checkout,2030-01-01,revenue,1,EUR",  # 11 quarantine: a month after the landing day
    "checkout,2026-02-01,cost,,EUR",  # 12 quarantine: no value
]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_good_file_lands_with_lineage_and_lands_once(tmp_path):
    db = tmp_path / "w.duckdb"
    # column order is free and unit is optional
    good = write(
        tmp_path / "in" / "business_results.csv",
        "metric,value,period_start,value_stream_id\nrevenue,10,2026-01-01,checkout\ncost,4,2026-01-01,checkout\n",
    )
    [result] = land(db, [good])
    assert (result.status, result.kind, result.rows) == ("landed", "csv_business_results", 2)
    assert query(
        db,
        "select value_stream_id, period_start, metric, value, unit, _source_file, _record_position "
        "from raw.csv_business_results order by _record_position",
    ) == [
        ("checkout", "2026-01-01", "revenue", "10", None, str(good), 1),
        ("checkout", "2026-01-01", "cost", "4", None, str(good), 2),
    ]
    [again] = land(db, [good])
    assert (again.status, again.reason) == ("skipped", "already landed")
    assert query(db, "select count(*) from raw.csv_business_results") == [(2,)]


@pytest.mark.parametrize(
    "content, reason",
    [
        (
            "value_stream_id,period_start,metric,unit\ncheckout,2026-01-01,revenue,EUR\n",
            "csv_business_results file lacks required column(s): value",
        ),
        (
            HEADER + "checkout,2026-01-01,revenue,10,EUR\n,2026-02-01,revenue,10,EUR\n",
            "1 row(s) with an empty key column (value_stream_id, period_start, metric)",
        ),
        (HEADER + "checkout,2026-01-01,revenue\n", "CSV error on line 2"),
    ],
    ids=["missing_column", "empty_key", "ragged_row"],
)
def test_a_bad_file_is_refused_in_one_line_and_nothing_landed_is_lost(tmp_path, content, reason):
    db = tmp_path / "w.duckdb"
    good = write(tmp_path / "good" / "business_results.csv", HEADER + "checkout,2026-01-01,revenue,10,EUR\n")
    assert land(db, [good])[0].status == "landed"
    bad = write(tmp_path / "bad" / "business_results.csv", content)
    cli = subprocess.run(
        [sys.executable, "-m", "flowmart.cli", "land", "--db", str(db), str(bad)], capture_output=True, text=True
    )
    assert cli.returncode == 1
    [line] = [line for line in cli.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: {bad}: {reason}")
    # the good file's row is still there; the bad file landed nothing and is logged as refused
    assert query(db, "select _source_file, value from raw.csv_business_results") == [(str(good), "10")]
    assert query(db, "select status from raw.landing_log where file_path = ?", [str(bad)]) == [("refused",)]


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    root = tmp_path_factory.mktemp("business")
    seeds = root / "seeds"
    write(seeds / "value_streams.csv", VALUE_STREAMS)
    db = root / "w.duckdb"
    results = land(db, [write(root / "in" / "business_results.csv", HEADER + "\n".join(ROWS) + "\n")])
    assert [r.status for r in results] == ["landed"]
    with duckdb.connect(str(db)) as con:
        report = run_gate(con, seeds_dir=seeds)
    return db, seeds, report


def test_the_gate_quarantines_bad_rows_and_warns_about_unknown_streams(gated):
    db, _, report = gated
    assert not report.failed
    failed = {o.check: o for o in report.outcomes if o.suite == "csv__business_results" and not o.success}
    assert {check: (o.severity, o.unexpected_count) for check, o in failed.items()} == {
        "value_present": ("quarantine", 1),  # row 12
        "period_start_parseable": ("quarantine", 1),  # row 4 ('Jan 2026')
        "period_start_not_in_future": ("quarantine", 1),  # row 11 (2030)
        "period_start_is_date": ("quarantine", 1),  # row 4
        "value_numeric": ("quarantine", 1),  # row 5 ('1,000')
        "metric_known": ("quarantine", 2),  # rows 6 (profit) and 7 (checkout's north star under platform)
        "result_unique_in_file": ("quarantine", 1),  # row 10
        "value_stream_known": ("warning", 2),  # rows 8 and 9
        "period_start_first_of_month": ("warning", 1),  # row 3
    }
    assert report.quarantined == {"csv_business_results": 7}
    assert query(db, "select _record_position from raw.csv_business_results order by 1") == [
        (1,),
        (2,),
        (3,),
        (8,),
        (9,),
    ]
    [line] = [o.line() for o in failed.values() if o.check == "metric_known"]
    assert "metric is neither the stream's north-star metric" in line and "business_results.csv" in line


def test_staging_reads_what_the_gate_let_through(gated, tmp_path):
    db, seeds, _ = gated
    built = tmp_path / "w.duckdb"
    shutil.copy(db, built)
    project = project_copy(tmp_path)
    shutil.copy(seeds / "value_streams.csv", project / "seeds" / "value_streams.csv")
    run_dbt(
        built,
        ["build", "--select", "+stg_csv__business_results", "--exclude-resource-type", "unit_test"]
        + ["--indirect-selection", "cautious"],
        DbtSettings(project_dir=project, target_path=project / "target"),
    )
    # rows 1, 2, 3 (in January), 8 and 9 (kept for the day the seed has 'mystery'; fct_stream_outcomes
    # reads a stream's north star and the four standard metrics only)
    assert query(
        built,
        "select value_stream_id, period_start::varchar, metric, metric_name, value, unit "
        "from staging.stg_csv__business_results order by 1, 2, 3",
    ) == [
        ("checkout", "2026-01-01", "conversion rate", "Conversion rate", 2.9, "%"),
        ("checkout", "2026-01-01", "cost", "cost", 1000.0, "EUR"),
        ("checkout", "2026-01-01", "revenue", "revenue", 100000.0, "EUR"),
        ("mystery", "2026-02-01", "revenue", "revenue", 10.0, "EUR"),
        ("mystery", "2026-02-01", "whatever", "Whatever", 1.0, "x"),
    ]
