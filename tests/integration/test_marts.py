"""The marts on a small hand-made warehouse, built with real dbt; figures computed by hand.

The fixture (tests/fixtures/marts/) is a copy of the dbt project with its own mapping seeds, so the demo
mapping can change without breaking these numbers. Dates are in February / March 2026
(2026-02-01 was a Sunday; 2026-02-16 is a holiday in the fixture seed). as_of = 2026-03-31 12:00 UTC.

Items (all csv, instance acme; statuses: open=new, in progress=active, review=waiting (active in the
platform stream), blocked=waiting, closed=done):
  C-1 checkout feature  open -> in progress 02-03 09:00 -> review 02-05 09:00 -> in progress 02-06 09:00 -> closed 02-10 21:00
  C-2 checkout defect   open -> in progress 02-04 -> closed 02-06 -> in progress 02-09 (reopen) -> closed 02-11
  C-3 checkout feature  open -> closed 02-05 12:00 (skip to done)
  C-4 checkout feature  open -> in progress 02-03 08:00 -> closed 02-12 08:00, resolution Won't Do (canceled)
  C-5 checkout risk     (task + label security) open -> in progress 02-23 -> blocked 02-25 (WIP, waiting)
  C-6 checkout feature  open -> in progress 02-09 -> closed 04-05 (after as_of: still active at as_of)
  C-7 checkout feature  changes listed out of order, two at 02-12 00:00 (ids 9 and 10), one with a +01:00 offset
  C-8 platform feature  a change dated before creation (removed); review counts as active in platform
  C-9, C-10 unassigned  (project MISC); status triage is unmapped; C-10's type epic is unmapped
  C-11 created after as_of: nowhere
"""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from flowmart.dbt import DbtSettings, invoke_dbt
from flowmart.landing import land

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "marts"
AS_OF = "2026-03-31 12:00:00"
MARTS = [
    "dim_value_streams",
    "fct_work_items",
    "fct_status_intervals",
    "fct_flow_daily",
    "fct_flow_metrics",
    "fct_stage_time",
    "fct_data_quality",
    "fct_stream_outcomes",
    "fct_flow_signals",
]


def make_project(root: Path) -> Path:
    """A copy of the dbt project whose seeds are the fixture's mapping seeds."""
    project = root / "project"
    for name in ("models", "macros", "data-tests"):
        shutil.copytree(REPO / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / name, project / name)
    (project / "seeds").mkdir()
    shutil.copy(REPO / "seeds" / "_seeds.yml", project / "seeds" / "_seeds.yml")
    for seed in (FIXTURE / "seeds").glob("*.csv"):
        shutil.copy(seed, project / "seeds" / seed.name)
    return project


def dbt_build(project: Path, db: Path, *extra: str, as_of: str = AS_OF) -> list:
    """`dbt build` of the whole project, dbt unit tests included (the scheduled build leaves them out);
    returns dbt's node results."""
    result = invoke_dbt(
        db, ["build", *extra], DbtSettings(as_of=as_of, project_dir=project, target_path=project / "target")
    )
    assert result.exception is None, result.exception
    assert result.success, "dbt build failed (see the log above)"
    return list(result.result)


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("marts")
    project = make_project(root)
    db = root / "warehouse.duckdb"
    results = land(db, [FIXTURE / "landing"])
    assert [(r.path.name, r.status) for r in results] == [
        ("business_results.csv", "landed"),
        ("status_changes.csv", "landed"),
        ("work_items.csv", "landed"),
    ]
    nodes = dbt_build(project, db)
    # every lifecycle rule's dbt unit test ran here and passed (flowmart build leaves them out)
    unit_tests = {n.node.name: str(n.status) for n in nodes if n.node.resource_type == "unit_test"}
    assert len(unit_tests) >= 5 and set(unit_tests.values()) == {"pass"}, unit_tests
    return db


def item(db: Path, key: str) -> dict:
    columns = [
        "value_stream_id",
        "flow_item_type",
        "current_flow_state",
        "started_at",
        "finished_at",
        "canceled_at",
        "flow_time_days",
        "active_days",
        "waiting_days",
        "flow_time_business_days",
        "active_business_days",
        "waiting_business_days",
        "flow_efficiency",
        "reopen_count",
        "age_days",
        "is_wip",
    ]
    rows = query(
        db,
        f"select {', '.join(c + '::varchar' if c.endswith('_at') else c for c in columns)} "
        f"from marts.fct_work_items where item_key = '{key}'",
    )
    assert len(rows) == 1, key
    return dict(zip(columns, rows[0], strict=True))


def test_item_lifecycles(warehouse):
    c1 = item(warehouse, "C-1")
    assert (c1["value_stream_id"], c1["flow_item_type"]) == ("checkout", "feature")
    assert (c1["started_at"], c1["finished_at"]) == ("2026-02-03 09:00:00", "2026-02-10 21:00:00")
    # flow time 02-03 09:00 -> 02-10 21:00 = 7 days 12 hours
    assert c1["flow_time_days"] == pytest.approx(7.5)
    # active: 02-03 09:00 -> 02-05 09:00 (2.0) + 02-06 09:00 -> 02-10 21:00 (4.5) = 6.5; waiting: review 1.0
    assert (c1["active_days"], c1["waiting_days"]) == (pytest.approx(6.5), pytest.approx(1.0))
    assert c1["flow_efficiency"] == pytest.approx(6.5 / 7.5)
    # business days: Tue 02-03 from 09:00 (15/24 = 0.625) + Wed + Thu + Fri + Mon 02-09 (4) + Tue 02-10 to 21:00 (0.875)
    assert c1["flow_time_business_days"] == pytest.approx(0.625 + 4 + 0.875)
    # active business: (0.625 + 1 + 0.375) + (Fri 0.625 + Mon 1 + Tue 0.875) = 2.0 + 2.5; waiting Thu 09:00 -> Fri 09:00
    assert c1["active_business_days"] == pytest.approx(4.5)
    assert c1["waiting_business_days"] == pytest.approx(1.0)

    c2 = item(warehouse, "C-2")  # reopen: counts once, at the final finish
    assert (c2["started_at"], c2["finished_at"], c2["reopen_count"]) == (
        "2026-02-04 00:00:00",
        "2026-02-11 00:00:00",
        1,
    )
    # flow time 7 days; active 2 + 2; waiting = closed 02-06 -> 02-09 = 3 days
    assert (c2["flow_time_days"], c2["active_days"], c2["waiting_days"]) == (7.0, 4.0, 3.0)

    c3 = item(warehouse, "C-3")  # skip to done: velocity yes, flow time no
    assert (c3["started_at"], c3["finished_at"], c3["flow_time_days"]) == (None, "2026-02-05 12:00:00", None)

    c4 = item(warehouse, "C-4")  # done + Won't Do = canceled
    assert (c4["current_flow_state"], c4["finished_at"], c4["canceled_at"]) == ("canceled", None, "2026-02-12 08:00:00")
    assert c4["flow_time_days"] is None and not c4["is_wip"]

    c5 = item(warehouse, "C-5")  # task + label security = risk; waiting WIP
    assert (c5["flow_item_type"], c5["current_flow_state"], c5["is_wip"]) == ("risk", "waiting", True)
    # age: 02-23 00:00 -> 03-31 12:00 = 28 (to 03-23) + 8.5 = 36.5 days
    assert c5["age_days"] == pytest.approx(36.5)

    c6 = item(warehouse, "C-6")  # finished 04-05, after as_of: active WIP at as_of
    assert (c6["current_flow_state"], c6["finished_at"]) == ("active", None)
    assert c6["age_days"] == pytest.approx(50.5)  # 02-09 -> 03-09 = 28, -> 03-31 12:00 = 22.5

    c7 = item(warehouse, "C-7")
    # creation 02-09T01:00+01:00 = 02-09 00:00 UTC; changes by time, ties by id (9 before 10, numerically):
    # open -> in progress 02-10 00:00 (01:00+01:00) -> closed (id 9) and -> review (id 10) at 02-12 00:00 -> closed 02-13
    assert (c7["started_at"], c7["finished_at"], c7["reopen_count"]) == (
        "2026-02-10 00:00:00",
        "2026-02-13 00:00:00",
        1,
    )
    assert (c7["flow_time_days"], c7["active_days"], c7["waiting_days"]) == (3.0, 2.0, 1.0)
    assert c7["value_stream_id"] == "checkout"  # label platform too, but the project rule has priority 10 < 20

    c8 = item(warehouse, "C-8")  # review is active in the platform stream: efficiency 1
    assert (c8["value_stream_id"], c8["flow_time_days"], c8["flow_efficiency"]) == ("platform", 3.0, 1.0)

    assert query(warehouse, "select count(*) from marts.fct_work_items where item_key = 'C-11'") == [(0,)]
    assert query(
        warehouse,
        "select interval_index, status from marts.fct_status_intervals where work_item_id = 'csv:acme:C-8' order by 1",
    ) == [(0, "open"), (1, "in progress"), (2, "review"), (3, "closed")]


def test_checkout_february(warehouse):
    [row] = query(
        warehouse,
        """
        select flow_velocity, flow_time_p50_days, flow_time_p85_days, flow_time_p95_days, flow_time_mean_days,
               flow_efficiency, flow_load_avg, flow_load_end, items_canceled, days_observed
        from marts.fct_flow_metrics
        where value_stream_id = 'checkout' and period_grain = 'month' and period_start = '2026-02-01'
          and flow_item_type = 'all'
    """,
    )
    velocity, p50, p85, p95, mean, efficiency, load_avg, load_end, canceled, days = row
    # finished in February: C-1 (02-10), C-2 (02-11), C-3 (02-05), C-7 (02-13); C-4 canceled, C-6 after as_of
    assert velocity == 4
    # flow times 3.0 (C-7), 7.0 (C-2), 7.5 (C-1); C-3 has none. Continuous percentiles over 3 values:
    # p50 = 7.0; p85 at rank 0.85 * 2 = 1.7 -> 7.0 + 0.7 * 0.5 = 7.35; p95 -> 7.0 + 0.9 * 0.5 = 7.45
    assert (p50, p85, p95) == (pytest.approx(7.0), pytest.approx(7.35), pytest.approx(7.45))
    assert mean == pytest.approx(17.5 / 3)
    # active 6.5 + 4 + 2 over flow time 7.5 + 7 + 3
    assert efficiency == pytest.approx(12.5 / 17.5)
    # end-of-day load, items x days in February:
    # C-1 02-03..02-09 = 7, C-2 02-04,05 + 02-09,10 = 4, C-4 02-03..02-11 = 9, C-5 02-23..02-28 = 6,
    # C-6 02-09..02-28 = 20, C-7 02-10,11,12 = 3  -> 49 item-days over 28 days
    assert days == 28
    assert load_avg == pytest.approx(49 / 28)
    assert load_end == 2  # C-5 waiting, C-6 active at the end of 02-28
    assert canceled == 1

    distribution = dict(
        query(
            warehouse,
            """
        select flow_item_type, flow_distribution_pct from marts.fct_flow_metrics
        where value_stream_id = 'checkout' and period_grain = 'month' and period_start = '2026-02-01'
          and flow_item_type in ('feature', 'defect')
    """,
        )
    )
    assert distribution == {"feature": pytest.approx(75.0), "defect": pytest.approx(25.0)}  # 3 of 4, 1 of 4

    daily = query(
        warehouse,
        """
        select date_day::varchar, sum(flow_load), sum(active_count), sum(waiting_count)
        from marts.fct_flow_daily where value_stream_id = 'checkout' and date_day in ('2026-02-05', '2026-02-12')
        group by 1 order by 1
    """,
    )
    # end of 02-05: active C-2, C-4; waiting C-1 (review). End of 02-12: active C-6; waiting C-7 (review)
    assert daily == [("2026-02-05", 3, 2, 1), ("2026-02-12", 2, 1, 1)]


def test_stream_outcomes_checkout(warehouse):
    """fct_stream_outcomes: the business results of tests/fixtures/marts/landing/business_results.csv beside
    the flow figures of test_checkout_february (worked out by hand there)."""
    columns = (
        "north_star_metric, north_star_value, north_star_unit, revenue, revenue_unit, cost, quality, happiness, "
        "months_with_results, flow_velocity, flow_time_p50_days, flow_time_p85_days, flow_load_avg, "
        "flow_efficiency, feature_share_pct, period_end::varchar"
    )
    [february] = query(
        warehouse,
        f"select {columns} from marts.fct_stream_outcomes "
        "where value_stream_id = 'checkout' and period_grain = 'month' and period_start = '2026-02-01'",
    )
    assert february == (
        "Conversion rate",  # the seed's name of the stream's north-star metric
        pytest.approx(3.1),
        "%",
        pytest.approx(120000.0),
        "EUR",
        pytest.approx(80000.0),
        pytest.approx(97.5),
        pytest.approx(7.2),
        1,
        4,  # finished in February: C-1, C-2, C-3, C-7
        pytest.approx(7.0),  # flow times 3.0, 7.0, 7.5: median 7.0
        pytest.approx(7.35),  # rank 0.85 x 2 = 1.7 -> 7.0 + 0.7 x 0.5
        pytest.approx(49 / 28),  # 49 item-days over 28 days
        pytest.approx(12.5 / 17.5),  # active 6.5 + 4 + 2 over flow time 7.5 + 7 + 3
        pytest.approx(75.0),  # C-1, C-3, C-7 features of 4 finished
        "2026-02-28",
    )
    [quarter] = query(
        warehouse,
        "select north_star_value, revenue, cost, quality, happiness, months_with_results, flow_velocity "
        "from marts.fct_stream_outcomes "
        "where value_stream_id = 'checkout' and period_grain = 'quarter' and period_start = '2026-01-01'",
    )
    # Q1: north star (2.9 + 3.1 + 3.3) / 3 = 3.1 (March's ' conversion RATE ' is the north star: case and
    # spaces ignored); revenue 100,000 + 120,000 + 130,000 ('Revenue') = 350,000; cost 78,000 + 80,000 +
    # 82,000 = 240,000; quality only in February: 97.5; happiness (7.2 + 7.6) / 2 = 7.4
    assert quarter[:6] == (
        pytest.approx(3.1),
        pytest.approx(350000.0),
        pytest.approx(240000.0),
        pytest.approx(97.5),
        pytest.approx(7.4),
        3,
    )
    # the quarter's velocity is fct_flow_metrics' (one source for the flow side)
    [(velocity,)] = query(
        warehouse,
        "select flow_velocity from marts.fct_flow_metrics where value_stream_id = 'checkout' "
        "and period_grain = 'quarter' and period_start = '2026-01-01' and flow_item_type = 'all'",
    )
    assert quarter[6] == velocity
    # platform earns nothing: cost only, its north star from its own row of the file
    [platform] = query(
        warehouse,
        "select north_star_metric, north_star_value, revenue, cost from marts.fct_stream_outcomes "
        "where value_stream_id = 'platform' and period_grain = 'quarter' and period_start = '2026-01-01'",
    )
    assert platform == ("Lead time for changes", pytest.approx(2.5), None, pytest.approx(121000.0))
    # one row per declared stream x grain x period, no row for 'unassigned' or 'all'
    assert query(warehouse, "select distinct value_stream_id from marts.fct_stream_outcomes order by 1") == [
        ("checkout",),
        ("platform",),
    ]


def test_data_quality(warehouse):
    caught = {
        (s, v, c): n
        for s, v, c, n in query(
            warehouse,
            "select source, value_stream_id, check_name, affected_count from marts.fct_data_quality "
            "where affected_count > 0",
        )
    }
    assert caught == {
        ("csv", "unassigned", "unassigned_item"): 2,  # C-9, C-10
        ("csv", "unassigned", "unmapped_status"): 2,  # triage
        ("csv", "unassigned", "unmapped_item_type"): 1,  # epic
        ("csv", "checkout", "done_without_start"): 1,  # C-3
        ("csv", "platform", "change_before_creation_removed"): 1,  # C-8's change 30
    }


def test_primary_key_test_fails_on_a_repeated_and_a_null_key(warehouse, tmp_path):
    """The project's primary_key test (data-tests/generic/primary_key.sql), the DuckDB query and the
    portable default, on a copy of fct_flow_daily with one key repeated and one key null."""

    project = make_project(tmp_path)
    db = tmp_path / "broken.duckdb"
    shutil.copy(warehouse, db)
    with duckdb.connect(str(db)) as con:
        # the first row again (its key now occurs twice), and the same row without a day (a null key)
        first = "(select * from marts.fct_flow_daily order by value_stream_id, date_day, flow_item_type limit 1)"
        con.execute(f"insert into marts.fct_flow_daily select * from {first}")
        con.execute(f"insert into marts.fct_flow_daily select * replace (null as date_day) from {first}")
    key = "['value_stream_id', 'date_day', 'flow_item_type']"
    settings = DbtSettings(project_dir=project, target_path=project / "target")
    tested = invoke_dbt(db, ["test", "--select", "fct_flow_daily,test_name:primary_key"], settings)
    portable = invoke_dbt(
        db, ["show", "--inline", f"{{{{ flowmart.default__primary_key_sql(ref('fct_flow_daily'), {key}) }}}}"], settings
    )
    # two offending keys: the repeated one (2 rows) and the null one (1 row)
    assert not tested.success
    assert [
        (r.node.name.split("_fct_")[0], str(r.status), r.failures)
        for r in tested.result
        if r.node.resource_type == "test"
    ] == [("primary_key", "fail", 2)]
    rows = sorted((row[1] is not None, row[3]) for row in portable.result.results[0].agate_table.rows)
    assert rows == [(False, 1), (True, 2)], rows  # (has a day, row_count): the null key, the repeated key


def test_littles_law_report(warehouse, capsys):
    """Little's law: average load ~ velocity per day x mean flow time. Reported, not asserted tightly:
    it holds only for stable streams, and the fixture is far from stable."""
    rows = query(
        warehouse,
        """
        select value_stream_id, period_grain, period_start::varchar, flow_load_avg, littles_law_load
        from marts.fct_flow_metrics
        where flow_item_type = 'all' and flow_velocity > 0 and period_grain in ('month', 'quarter')
        order by 1, 2, 3
    """,
    )
    assert rows
    with capsys.disabled():
        print("\nLittle's law (stream, grain, period, average load, velocity/day x mean flow time):")
        for stream, grain, start, load, estimate in rows:
            print(
                f"  {stream:<10} {grain:<8} {start}  L={load:6.2f}  lambda*W={estimate if estimate is None else round(estimate, 2)}"
            )
    # checkout 2026-02: 4 / 28 per day x 17.5 / 3 days = 0.83 against an average load of 1.75
    [(estimate,)] = query(
        warehouse,
        "select littles_law_load from marts.fct_flow_metrics where value_stream_id = "
        "'checkout' and period_grain = 'month' and period_start = '2026-02-01' "
        "and flow_item_type = 'all'",
    )
    assert estimate == pytest.approx(4 / 28 * 17.5 / 3)


def split_landing(out: Path) -> tuple[Path, Path]:
    """Phase 1: the first 6 items with their changes up to 02-08; phase 2: every file in full."""
    phase1, phase2 = out / "phase1", out / "phase2"
    phase1.mkdir(parents=True)
    shutil.copytree(FIXTURE / "landing", phase2)
    with (FIXTURE / "landing" / "work_items.csv").open() as handle:
        items = list(csv.DictReader(handle))
    with (FIXTURE / "landing" / "status_changes.csv").open() as handle:
        changes = list(csv.DictReader(handle))
    keep = {row["item_key"] for row in items[:6]}
    for name, rows in (
        ("work_items.csv", [r for r in items if r["item_key"] in keep]),
        ("status_changes.csv", [r for r in changes if r["item_key"] in keep and r["changed_at"] < "2026-02-08"]),
    ):
        with (phase1 / name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return phase1, phase2


def comparable_columns(con, table: str) -> str:
    """The table's columns for a row-for-row comparison, doubles rounded to 1e-9: a sum of doubles depends
    on the order its rows arrive in (an incremental table keeps its rows in another order than a rebuilt
    one), in the last bit only. Every other type is compared exactly."""
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return ", ".join(f'round("{c}", 9) as "{c}"' if t in ("DOUBLE", "FLOAT") else f'"{c}"' for c, t in rows)


def test_incremental_equals_full_refresh(tmp_path):
    project = make_project(tmp_path)
    db = tmp_path / "warehouse.duckdb"
    phase1, phase2 = split_landing(tmp_path / "landing")
    land(db, [phase1])
    dbt_build(project, db)
    land(db, [phase2])
    dbt_build(project, db)  # incremental: only items with newly landed rows are reprocessed
    tables = [f"marts.{m}" for m in MARTS] + ["intermediate.int_status_changes_unioned"]
    with duckdb.connect(str(db)) as con:
        con.execute("create schema snapshot")
        for table in tables:
            con.execute(f"create table snapshot.{table.split('.')[1]} as select * from {table}")
    dbt_build(project, db, "--full-refresh")
    with duckdb.connect(str(db), read_only=True) as con:
        for table in tables:
            snap = f"snapshot.{table.split('.')[1]}"
            count = con.execute(f"select count(*) from {table}").fetchone()[0]
            assert count > 0, table
            columns = comparable_columns(con, table)
            for left, right in ((table, snap), (snap, table)):
                diff = con.execute(
                    f"select count(*) from (select {columns} from {left} except all select {columns} from {right})"
                ).fetchone()[0]
                assert diff == 0, f"{table}: incremental and full refresh differ ({left} minus {right}: {diff} rows)"


# ---------------------------------------------------------------------------------------------
# fct_flow_signals: XmR limits and signals on a hand-built stream

XMR_AS_OF = "2026-04-26 23:59:59"  # the Sunday ending the 16th week of 2026-H1
BASELINE_START = date(2025, 7, 7)  # Monday: 26 weeks to 2025-12-29, the baseline of 2026-H1
HALF_START = date(2026, 1, 5)  # the first Monday of 2026-H1
# checkout, items finished per week and each item's flow time (days) that week
BASELINE_VELOCITY = [4, 6] * 12 + [5, 5]
BASELINE_FLOW_TIME = [2, 4] * 13
HALF_VELOCITY = [11, 3, 6, 6, 6, 6, 6, 6, 6, 6, 5, 8, 4, 9, 8, 0]
HALF_FLOW_TIME = [9] + [3] * 15
# platform: one item a week for the 11 weeks from 2025-10-20 (Monday) to 2025-12-29
PLATFORM_WEEKS = [date(2025, 10, 20) + timedelta(weeks=i) for i in range(11)]


def xmr_landing(folder: Path) -> Path:
    """work_items.csv and status_changes.csv: every item finishes on its week's Friday at 12:00 UTC after
    ``flow time`` days in progress (so a week's median flow time is that week's flow time), created an hour
    before it started."""
    items, changes = [], []

    def add(key: str, project: str, labels: str, finished: datetime, flow_days: int) -> None:
        started = finished - timedelta(days=flow_days)
        created = started - timedelta(hours=1)
        iso = "%Y-%m-%dT%H:%M:%SZ"
        items.append(
            ["csv", "acme", key, key, "story", project, labels, "closed", "done",
             created.strftime(iso), finished.strftime(iso)]
        )  # fmt: skip
        changes.append(["csv", "acme", key, f"{key}-1", started.strftime(iso), "open", "in progress"])
        changes.append(["csv", "acme", key, f"{key}-2", finished.strftime(iso), "in progress", "closed"])

    weeks = [BASELINE_START + timedelta(weeks=i) for i in range(26)] + [
        HALF_START + timedelta(weeks=i) for i in range(16)
    ]
    counts = BASELINE_VELOCITY + HALF_VELOCITY
    times = BASELINE_FLOW_TIME + HALF_FLOW_TIME
    for week, count, flow_days in zip(weeks, counts, times, strict=True):
        friday = datetime(week.year, week.month, week.day, 12) + timedelta(days=4)
        for n in range(count):
            add(f"X-{week:%Y%m%d}-{n}", "CHK", "", friday, flow_days)
    for week in PLATFORM_WEEKS:
        add(f"P-{week:%Y%m%d}", "PLT", "platform", datetime(week.year, week.month, week.day, 12) + timedelta(days=4), 2)
    folder.mkdir(parents=True)
    for name, header, rows in (
        ("work_items.csv", "source,instance,item_key,title,item_type,project,labels,status,status_category,"
         "created_at,resolved_at", items),
        ("status_changes.csv", "source,instance,item_key,change_id,changed_at,from_status,to_status", changes),
    ):  # fmt: skip
        with (folder / name).open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header.split(","))
            writer.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def signals_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("signals")
    project = make_project(root)
    db = root / "warehouse.duckdb"
    assert {r.status for r in land(db, [xmr_landing(root / "landing")])} == {"landed"}
    dbt_build(
        project,
        db,
        "--select",
        "+fct_flow_signals",
        "--exclude-resource-type",
        "unit_test",
        "--indirect-selection",
        "cautious",
        as_of=XMR_AS_OF,
    )
    return db


def signal_rows(db: Path, stream: str, metric: str) -> list[tuple]:
    return query(
        db,
        f"""
        select week_start::varchar, value, center_line, average_moving_range, upper_natural_process_limit,
            lower_natural_process_limit, baseline_weeks, signal
        from marts.fct_flow_signals
        where value_stream_id = '{stream}' and metric = '{metric}' and week_start >= '{HALF_START}'
        order by week_start
        """,
    )


def test_xmr_limits_and_signals_of_weekly_velocity(signals_warehouse):
    rows = signal_rows(signals_warehouse, "checkout", "flow_velocity")
    assert [r[0] for r in rows] == [str(HALF_START + timedelta(weeks=i)) for i in range(16)]
    # Baseline: the 26 weeks 2025-07-07 .. 2025-12-29, values 4, 6, 4, 6, ... (24 values), 5, 5.
    #   centre = (12 x (4 + 6) + 5 + 5) / 26 = 130 / 26 = 5.0
    #   moving ranges: 23 x |4 - 6| = 46, |6 - 5| = 1, |5 - 5| = 0 -> 47 / 25 = 1.88
    #   upper limit = 5 + 2.66 x 1.88 = 5 + 5.0008 = 10.0008; lower = 5 - 5.0008 < 0 -> 0
    #   closer to the upper limit than to the centre: above 5 + 1.33 x 1.88 = 7.5004
    for _, _, centre, moving_range, upper, lower, baseline, _ in rows:
        assert (centre, moving_range, upper, lower, baseline) == (
            pytest.approx(5.0),
            pytest.approx(1.88),
            pytest.approx(10.0008),
            0,
            26,
        )
    values = [r[1] for r in rows]
    assert values == HALF_VELOCITY  # the week without a finished item (04-20) is 0, not missing
    assert [r[7] for r in rows] == [
        "beyond_limit",  # 01-05: 11 > 10.0008
        None,  # 01-12: 3, below the centre, alone
        *["run_of_8"] * 8,  # 01-19 .. 03-09: 6 eight times above the centre (6 < 7.5004: not near the limit)
        None,  # 03-16: 5, on the centre line (ends the run)
        "three_of_four_near_limit",  # 03-23: 8 > 7.5004 ...
        None,  # 03-30: 4, the one of the four that is not near the limit
        "three_of_four_near_limit",  # 04-06: 9
        "three_of_four_near_limit",  # 04-13: 8 -> 8, 4, 9, 8: three of four above 7.5004
        None,  # 04-20: 0, below 5 - 2.5004 but alone; not below the lower limit 0
    ]


def test_xmr_limits_of_weekly_median_flow_time_and_short_baselines(signals_warehouse):
    rows = signal_rows(signals_warehouse, "checkout", "flow_time_p50_days")
    # Baseline medians 2, 4, 2, 4, ... (26 weeks): centre 78 / 26 = 3.0, moving ranges 25 x 2 / 25 = 2.0,
    # upper limit 3 + 2.66 x 2 = 8.32, lower 3 - 5.32 < 0 -> 0
    assert [(r[2], r[3], r[4], r[5]) for r in rows] == [
        (pytest.approx(3.0), pytest.approx(2.0), pytest.approx(8.32), 0)
    ] * 16
    # 01-05: median 9 > 8.32; then 3 (on the centre line) for 14 weeks; 04-20: nothing finished, no median
    assert [(r[1], r[7]) for r in rows] == [(9.0, "beyond_limit"), *[(3.0, None)] * 14, (None, None)]

    # platform: its first item in the week of 2025-10-20 -> 11 baseline weeks for 2026-H1: no limits, no signal
    platform = signal_rows(signals_warehouse, "platform", "flow_velocity")
    assert {(r[2], r[3], r[4], r[5], r[6], r[7]) for r in platform} == {(None, None, None, None, 11, None)}
    # checkout's own first half (2025-H2) has no baseline (no weeks before its first item): no limits
    assert query(
        signals_warehouse,
        "select distinct baseline_weeks, center_line from marts.fct_flow_signals "
        "where value_stream_id = 'checkout' and half_year_start = '2025-07-01'",
    ) == [(0, None)]
    # the charts begin with each stream's first week: no zeros before it
    assert query(
        signals_warehouse,
        "select value_stream_id, min(week_start)::varchar from marts.fct_flow_signals "
        "where value_stream_id in ('checkout', 'platform') group by 1 order by 1",
    ) == [("checkout", "2025-07-07"), ("platform", "2025-10-20")]
