"""`flowmart forecast` on hand-made marts: the numbers worked out by hand, one-line errors, exit code 2."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pytest

from flowmart.cli import main


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def flowmart(capsys):
    """The command run in this process (test_cli.py runs a few as subprocesses; these are many)."""

    def run(*args: str) -> Ran:
        code = main(list(args))
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


@pytest.fixture
def marts(tmp_path):
    """A warehouse holding just the marts the forecast reads: as_of 2026-06-30 23:59:59 (the day is complete),
    stream `steady` finishing 2 items every day of the 12 weeks before it, stream `idle` none."""
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_work_items as select timestamp '2026-06-30 23:59:59' as as_of")
        con.execute(
            "create table marts.dim_value_streams as "
            "select * from (values ('steady', 'Steady stream'), ('idle', 'Idle stream')) t(value_stream_id, name)"
        )
        con.execute(
            "create table marts.fct_flow_daily "
            "(value_stream_id varchar, date_day date, flow_item_type varchar, departures integer)"
        )
        last = date(2026, 6, 30)
        for i in range(84):
            day = last - timedelta(days=i)
            # 2 a day split over two types (the command adds the types up)
            con.execute("insert into marts.fct_flow_daily values ('steady', ?, 'feature', 1)", [day])
            con.execute("insert into marts.fct_flow_daily values ('steady', ?, 'defect', 1)", [day])
            con.execute("insert into marts.fct_flow_daily values ('idle', ?, 'feature', 0)", [day])
    return db


def test_when_will_n_items_be_done(flowmart, marts):
    result = flowmart("forecast", "--db", str(marts), "--stream", "steady", "--items", "11", "--trials", "500")
    assert result.returncode == 0, result.stderr
    # 2 a day from 2026-07-01 (day 1): 5 days give 10 < 11, the 6th day 12 -> 2026-07-06, at every confidence
    assert "(168 items finished in 12 weeks)" in result.stdout  # 84 days x 2
    assert "forecast from 2026-07-01" in result.stdout
    for pct in (50, 85, 95):
        assert f"{pct}% confidence: by 2026-07-06 (6 days)" in result.stdout


def test_how_many_by_a_date(flowmart, marts):
    result = flowmart("forecast", "--db", str(marts), "--stream", "steady", "--by", "2026-09-30", "--trials", "500")
    assert result.returncode == 0, result.stderr
    # 2026-07-01 .. 2026-09-30: 31 + 31 + 30 = 92 days x 2 a day = 184 items, at every confidence
    assert "by 2026-09-30 (92 days)" in result.stdout
    for pct in (50, 85, 95):
        assert f"{pct}% confidence: at least 184 items" in result.stdout
    # the portfolio adds the streams up: 2 + 0 a day -> the same 184
    everything = flowmart("forecast", "--db", str(marts), "--stream", "all", "--by", "2026-09-30", "--trials", "500")
    assert "95% confidence: at least 184 items" in everything.stdout


def test_a_stream_without_throughput_is_never_done(flowmart, marts):
    result = flowmart("forecast", "--db", str(marts), "--stream", "idle", "--items", "3", "--trials", "200")
    assert result.returncode == 0
    assert "50% confidence: not within 5 years" in result.stdout
    assert "warning: nothing finished" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stream", "nope", "--items", "3"], "--stream nope: no such value stream (known: idle, steady, or all)"),
        (["--stream", "steady"], "give one of --items N"),
        (["--stream", "steady", "--items", "3", "--by", "2026-09-30"], "give one of --items N"),
        (["--stream", "steady", "--items", "0"], "--items 0: must be at least 1"),
        (["--stream", "steady", "--items", "x"], "--items x: not a whole number"),
        (["--stream", "steady", "--by", "2026-02-30"], "--by 2026-02-30: not a date (YYYY-MM-DD)"),
        (["--stream", "steady", "--by", "2026-06-30"], "--by 2026-06-30: before the forecast starts (2026-07-01)"),
        (["--stream", "steady", "--items", "3", "--trials", "10"], "--trials 10: must be at least 100"),
        (["--stream", "steady", "--items", "3", "--weeks", "0"], "--weeks 0: must be at least 1"),
    ],
)
def test_user_errors_are_one_line_with_exit_2(flowmart, marts, args, message):
    result = flowmart("forecast", "--db", str(marts), *args)
    assert result.returncode == 2
    assert f"error: {message}" in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1
    assert result.stdout == ""


def test_a_missing_warehouse_is_a_user_error(flowmart, tmp_path):
    result = flowmart("forecast", "--db", str(tmp_path / "none.duckdb"), "--stream", "x", "--items", "3")
    assert result.returncode == 2 and "no such warehouse file" in result.stderr
