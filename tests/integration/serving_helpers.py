"""Helpers for the serving tests: a stand-in warehouse and a reader process.

* :func:`make_fake_warehouse` builds tables with the documented mart columns (issue 3) and the one property
  the consistency check needs (month velocity of all streams and types = finished items) in milliseconds,
  for the publish mechanics tests. The real marts are published end to end in test_serving_build.py.
* :func:`read_loop` is what an analyst or a BI tool does: query the published marts again and again, in its
  own process, and record every error and every inconsistent answer.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import duckdb

# One statement, so one snapshot of one file: the version, its total monthly velocity (all streams, all types)
# and its finished items. In any complete version the two numbers are equal.
CONSISTENCY_SQL = """
select
    (select version_id from meta.publication) as version_id,
    (select sum(flow_velocity) from marts.fct_flow_metrics
     where period_grain = 'month' and value_stream_id = 'all' and flow_item_type = 'all') as velocity,
    (select count(*) from marts.fct_work_items where finished_at is not null) as finished
"""

FAKE_MARTS_SQL = """
create schema if not exists marts;

create or replace table marts.dim_value_streams as
select * from (values
    ('checkout', 'Checkout', 'SMB', 'top_level'),
    ('platform', 'Platform', 'Internal', 'supporting'),
    ('unassigned', 'Unassigned', null, null)
) as t(value_stream_id, name, customer_segment, stream_kind);
comment on table marts.dim_value_streams is 'One row per value stream, plus unassigned.';
comment on column marts.dim_value_streams.value_stream_id is 'Stable id of the stream.';

create or replace table marts.fct_work_items as
with items as (
    select
        i,
        timestamp '2026-01-01' + to_minutes(((i * 7919) % (300 * 1440))::bigint) as created_at,
        ((i * 31) % 97) / 10.0 as flow_days
    from range(1, $n + 1) as r(i)
)
select
    'csv:fake:ITEM-' || i as work_item_id,
    'csv' as source,
    'fake' as instance,
    'ITEM-' || i as item_key,
    'Item ' || i || ' it''s fine' as title,
    case when i % 3 = 0 then 'platform' when i % 11 = 0 then 'unassigned' else 'checkout' end
        as value_stream_id,
    ['feature', 'defect', 'risk', 'debt'][1 + i % 4] as flow_item_type,
    'Story' as tracker_item_type,
    case when i % 5 = 0 then 'In Progress' else 'Done' end as current_status,
    case when i % 5 = 0 then 'active' else 'done' end as current_flow_state,
    created_at,
    created_at + interval 1 day as started_at,
    case
        when i % 5 = 0 then null
        else created_at + interval 1 day + to_minutes((flow_days * 1440)::bigint)
    end
        as finished_at,
    null::timestamp as canceled_at,
    case when i % 5 = 0 then null else flow_days end as flow_time_days,
    case when i % 5 = 0 then null else flow_days / 2 end as active_days,
    case when i % 5 = 0 then null else flow_days / 2 end as waiting_days,
    case when i % 5 = 0 then null else flow_days * 5 / 7 end as flow_time_business_days,
    case when i % 5 = 0 then null else 0.5 end as flow_efficiency,
    (i % 13 = 0)::integer as reopen_count,
    case when i % 5 = 0 then 30.0 else null end as age_days,
    i % 5 = 0 as is_wip,
    true as is_history_complete
from items;
comment on column marts.fct_work_items.flow_time_days is 'finished_at - started_at, in days.';

create or replace table marts.fct_flow_metrics as
with finished as (
    select
        *,
        date_trunc('month', finished_at)::date as month_start,
        date_trunc('quarter', finished_at)::date as quarter_start
    from marts.fct_work_items where finished_at is not null
),
grains as (
    select 'month' as period_grain, month_start as period_start, * from finished
    union all
    select 'quarter', quarter_start, * from finished
),
metrics as (
    select
        coalesce(value_stream_id, 'all') as value_stream_id,
        period_grain,
        period_start,
        coalesce(flow_item_type, 'all') as flow_item_type,
        count(*) as flow_velocity,
        quantile_cont(flow_time_days, 0.5) as flow_time_p50_days,
        quantile_cont(flow_time_days, 0.85) as flow_time_p85_days,
        quantile_cont(flow_time_days, 0.95) as flow_time_p95_days,
        avg(flow_time_days) as flow_time_mean_days,
        sum(active_days) / sum(flow_time_days) as flow_efficiency,
        0.0 as flow_load_avg,
        0 as flow_load_end,
        null::double as flow_distribution_pct,
        0 as items_canceled
    from grains
    group by grouping sets ((value_stream_id, period_grain, period_start, flow_item_type),
                            (value_stream_id, period_grain, period_start),
                            (period_grain, period_start, flow_item_type),
                            (period_grain, period_start))
)
select * from metrics;

create or replace table marts.fct_flow_daily as
select
    vs.value_stream_id,
    d::date as flow_date,
    t.flow_item_type,
    0 as flow_load, 0 as active_count, 0 as waiting_count,
    0 as arrivals, 0 as departures, 0 as canceled, 0 as created
from (select value_stream_id from marts.dim_value_streams) vs,
     range(date '2026-01-01', date '2026-03-01', interval 1 day) as r(d),
     (values ('feature'), ('defect'), ('risk'), ('debt')) as t(flow_item_type);

create or replace table marts.fct_data_quality as
select 'csv' as source, 'checkout' as value_stream_id, 0 as unmapped_statuses;
"""


def make_fake_warehouse(db: Path, items: int = 200) -> None:
    """(Re)build the fake marts in ``db``: ``items`` work items, 4 in 5 finished."""
    with duckdb.connect(str(db)) as con:
        con.execute(FAKE_MARTS_SQL.replace("$n", str(int(items))))


def read_loop(current_dir: str, stop_file: str, out_file: str, mode: str = "reopen", pause: float = 0.0) -> None:
    """Query <current_dir>/flowmart.duckdb (and serving.duckdb) until ``stop_file`` exists; write a summary.

    mode ``reopen``: a new read-only connection per query (what a CLI user or a per-query BI tool does).
    mode ``hold``: one connection kept open throughout (a BI tool's connection pool).
    """
    current = Path(current_dir)
    summary = {
        "mode": mode,
        "queries": 0,
        "serving_queries": 0,
        "errors": [],
        "inconsistent": [],
        "versions": [],
    }
    held = None
    stop = Path(stop_file)
    while not stop.exists():
        try:
            if mode == "hold":
                if held is None:
                    held = duckdb.connect(str(current / "flowmart.duckdb"), read_only=True)
                row = held.execute(CONSISTENCY_SQL).fetchone()
            else:
                with duckdb.connect(str(current / "flowmart.duckdb"), read_only=True) as con:
                    row = con.execute(CONSISTENCY_SQL).fetchone()
                # the Parquet views: relative paths resolved against ONE version, the one current now
                # (docs/serving.md: resolving `current` per file could straddle a switch mid-query)
                pinned = Path(os.path.realpath(current))
                with duckdb.connect(
                    str(pinned / "serving.duckdb"), read_only=True, config={"file_search_path": str(pinned)}
                ) as con:
                    served = con.execute(
                        "select count(*) from marts.fct_work_items where finished_at is not null "
                        "and work_item_id is not null"
                    ).fetchone()[0]
                    if served <= 0:
                        summary["inconsistent"].append(["serving", served])
                    summary["serving_queries"] += 1
            version_id, velocity, finished = row
            summary["queries"] += 1
            if velocity != finished:
                summary["inconsistent"].append([version_id, velocity, finished])
            if not summary["versions"] or summary["versions"][-1] != version_id:
                summary["versions"].append(version_id)
        except Exception as exc:  # noqa: BLE001 - every error is a failure of the serving contract: record it
            summary["errors"].append(f"{type(exc).__name__}: {exc}"[:500])
            time.sleep(0.01)
        if pause:
            time.sleep(pause)
    if held is not None:
        held.close()
    Path(out_file).write_text(json.dumps(summary))


if __name__ == "__main__":  # python -m tests.integration.serving_helpers CURRENT STOP OUT [MODE] [PAUSE]
    read_loop(
        sys.argv[1],
        sys.argv[2],
        sys.argv[3],
        *(sys.argv[4:5] or ["reopen"]),
        *([float(sys.argv[5])] if len(sys.argv) > 5 else []),
    )
