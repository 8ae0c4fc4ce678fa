"""marts.review_snapshots: every number of a review, one row per (review, stream, metric).

Written by `flowmart report`, not by dbt (dbt never drops tables it does not own, so the snapshots of
past reviews survive every build). Re-running a review replaces its rows in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

DDL = """
create table if not exists marts.review_snapshots (
    review varchar not null,   -- the half-year reviewed, e.g. 2026-H1
    stream varchar not null,   -- value_stream_id, or 'all' for the portfolio
    metric varchar not null,   -- e.g. flow_velocity, flow_time_p85_days_previous, forecast_13w_items_p85
    value double,              -- null when not applicable (e.g. no previous half-year)
    primary key (review, stream, metric)
)
"""


def write(con: duckdb.DuckDBPyConnection, review: str, rows: Iterable[tuple[str, str, str, float | None]]) -> int:
    rows = [row for row in rows if row[0] == review]
    con.execute("begin transaction")
    try:
        con.execute("create schema if not exists marts")
        con.execute(DDL)
        con.execute("delete from marts.review_snapshots where review = ?", [review])
        if rows:
            con.executemany("insert into marts.review_snapshots values (?, ?, ?, ?)", rows)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return len(rows)


def read(con: duckdb.DuckDBPyConnection, review: str) -> list[tuple[str, str, str, float | None]]:
    return con.execute(
        "select review, stream, metric, value from marts.review_snapshots where review = ? order by stream, metric",
        [review],
    ).fetchall()
