"""The report's pure pieces without a warehouse: half-years, review prompts, comparisons, charts, HTML.

Fast (no dbt): hand-made frames in, numbers and images out.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from flowmart.report import charts
from flowmart.report.periods import Half
from flowmart.report.render import fmt
from flowmart.report.review import Comparison, merge_candidates, split_candidates

PNG = b"\x89PNG\r\n\x1a\n"


def test_half_years():
    h1 = Half.parse("2026-H1")
    assert (h1.start, h1.end, h1.as_of) == (date(2026, 1, 1), date(2026, 7, 1), "2026-06-30 23:59:59")
    assert Half.parse("2025h2").as_of == "2025-12-31 23:59:59"
    assert h1.previous() == Half(2025, 2) and Half(2025, 2).next() == h1
    # the last complete half-year on 2026-11-25 is 2026-H1; on 2026-07-01 too; on 2026-06-30 it is 2025-H2
    assert Half.last_complete(date(2026, 11, 25)) == h1
    assert Half.last_complete(date(2026, 7, 1)) == h1
    assert Half.last_complete(date(2026, 6, 30)) == Half(2025, 2)
    assert [m.month for m in h1.months()] == [1, 2, 3, 4, 5, 6]
    # fiscal year from April: H1 = April-September of the calendar year the fiscal year starts in - 1 + 1
    fiscal = Half.containing(date(2026, 5, 10), fiscal_start_month=4)
    assert (fiscal.start, fiscal.end) == (date(2026, 4, 1), date(2026, 10, 1))
    with pytest.raises(ValueError):
        Half.parse("2026-Q1")


def test_comparison_direction_and_change():
    faster = Comparison("flow_time_p85_days", "p85", "days", "lower", current=8.0, previous=10.0)
    assert (faster.change, faster.change_pct, faster.direction) == (-2.0, -20.0, "better")
    slower_velocity = Comparison("flow_velocity", "v", "items", "higher", current=90.0, previous=100.0)
    assert slower_velocity.direction == "worse"
    assert Comparison("flow_velocity", "v", "items", "higher", 5.0, None).direction == "n/a"
    assert Comparison("flow_velocity", "v", "items", "higher", 100.0, 100.2).direction == "same"  # < 0.5%


def test_formatting():
    assert fmt(1234.0, "items") == "1,234 items"
    assert fmt(None, "days") == "–"
    assert fmt(float("nan"), "%") == "–"
    assert fmt(58.25, "%", 0) == "58%"
    assert fmt(3.14159, "days") == "3.1 days"


def _items(stream: str, segment: str, flow_times: list[float], kinds: list[str]) -> list[dict]:
    finished = datetime(2026, 3, 1)
    return [
        {
            "work_item_id": f"{segment}-{i}",
            "value_stream_id": stream,
            "project_key": segment,
            "instance": "x",
            "flow_item_type": kind,
            "flow_time_days": t,
            "finished_at": finished + timedelta(hours=i),
        }
        for i, (t, kind) in enumerate(zip(flow_times, kinds, strict=True))
    ]


def test_split_candidates_flag_a_segment_whose_flow_time_differs_materially():
    class Inputs:  # the two attributes split_candidates reads
        half = Half(2026, 1)

    # stream "pay": project FAST finishes everything in 1..20 days (p85 = 1 + 0.85 * 19 = 17.15),
    # project SLOW in 2..40 days (p85 = 2 + 0.85 * 38 = 34.3): ratio 17.15 / 34.3 = 0.5 <= 1 / 1.5 -> split candidate.
    # stream "ops": two projects with the same flow times and mix -> no candidate.
    fast = _items("pay", "FAST", [float(d) for d in range(1, 21)], ["feature"] * 20)
    slow = _items("pay", "SLOW", [float(2 * d) for d in range(1, 21)], ["feature"] * 20)
    same_a = _items("ops", "A", [float(d) for d in range(1, 21)], ["feature", "defect"] * 10)
    same_b = _items("ops", "B", [float(d) for d in range(1, 21)], ["defect", "feature"] * 10)
    Inputs.items = pd.DataFrame(fast + slow + same_a + same_b)
    found = split_candidates(Inputs)
    assert [(c["stream"], c["segment"]) for c in found] == [("pay", "FAST")]  # two segments: reported once
    assert found[0]["p85_days"] == pytest.approx(17.15)
    assert found[0]["rest_p85_days"] == pytest.approx(34.3)
    assert found[0]["flow_time_ratio"] == pytest.approx(0.5)


def test_split_candidates_flag_a_segment_whose_mix_differs_materially():
    class Inputs:
        half = Half(2026, 1)

    # same flow times; project RISK is 60% risk work, project FEAT 0%: distance = (60 + 60) / 2 = 60 pp >= 25 pp
    risky = _items("it", "RISK", [5.0] * 20, ["risk"] * 12 + ["feature"] * 8)
    plain = _items("it", "FEAT", [5.0] * 20, ["feature"] * 20)
    Inputs.items = pd.DataFrame(risky + plain)
    (found,) = split_candidates(Inputs)
    assert found["distribution_distance_pp"] == pytest.approx(60.0)
    assert "flow distribution" in found["reasons"][0]


def test_merge_candidates_need_trigger_finish_line_and_north_star_alike():
    streams = pd.DataFrame(
        [
            {
                "value_stream_id": "a",
                "start_trigger": "Order placed",
                "finish_line": "Order delivered",
                "north_star_metric": "On-time delivery",
                "is_unassigned": False,
            },
            {
                "value_stream_id": "b",
                "start_trigger": "order  placed",
                "finish_line": "Order delivered",
                "north_star_metric": "On-time delivery",
                "is_unassigned": False,
            },
            {
                "value_stream_id": "c",
                "start_trigger": "Order placed",
                "finish_line": "Order delivered",
                "north_star_metric": "Revenue",
                "is_unassigned": False,
            },
            {
                "value_stream_id": "unassigned",
                "start_trigger": None,
                "finish_line": None,
                "north_star_metric": None,
                "is_unassigned": True,
            },
        ]
    )
    assert [m["streams"] for m in merge_candidates(streams)] == [("a", "b")]


@pytest.mark.parametrize("empty", [True, False])
def test_every_chart_renders_with_and_without_data(empty):
    days = [] if empty else [date(2026, 1, 1) + timedelta(days=d) for d in range(181)]
    weeks = [] if empty else [date(2026, 1, 5) + timedelta(weeks=w) for w in range(25)]
    months = [] if empty else [date(2026, m, 1) for m in range(1, 7)]
    n = 0 if empty else 50
    rng = np.random.default_rng(1)
    times = list(rng.gamma(2.0, 5.0, n))
    kinds = ["feature", "defect", "risk", "debt", "unmapped"] * (n // 5)
    pct = {"p50": None if empty else 8.0, "p85": None if empty else 20.0, "p95": None if empty else 30.0}
    images = [
        charts.velocity_run_chart(weeks, list(range(len(weeks))), "velocity"),
        charts.flow_time_scatter([datetime(2026, 1, 1) + timedelta(days=i) for i in range(n)], times, kinds, pct, "s"),
        charts.flow_time_histogram(times, pct, "h"),
        charts.load_vs_velocity(
            [3.0] * len(weeks),
            [2.0] * len(weeks),
            {"load": 3.0, "velocity_per_day": 0.3, "flow_time_mean_days": 10.0},
            "l",
        ),
        charts.efficiency_trend(months, [0.5] * len(months), date(2026, 1, 1), "e"),
        charts.distribution_by_month(
            months,
            {"feature": [60.0] * len(months), "defect": [40.0] * len(months)},
            {"feature": 70.0, "defect": 30.0},
            "d",
        ),
        charts.cumulative_flow(days, list(range(len(days))), [2] * len(days), [3] * len(days), "c"),
        charts.cumulative_flow_by_stage(
            days,
            [] if empty else [("done (since the half began)", list(range(len(days)))), ("Build", [2] * len(days))],
            "c",
            stage_order=["Build"],
        ),
        charts.aging_wip(
            ["Build", "Review", "Build"][: 0 if empty else 3],
            ["Review", "Build"],
            [] if empty else [3.0, 30.0, float("nan")],  # the third item's start is unknown: not drawn
            [] if empty else ["active", "waiting", "active"],
            20.0,
            "a",
            bands={50: 5.0, 70: 9.0, 85: 20.0, 95: 40.0},
        ),
        charts.where_work_waits(
            [] if empty else ["Build: In Progress", "Review: In Review"],
            [] if empty else [0.6, 0.4],
            [] if empty else ["active", "waiting"],
            "w",
        ),
        charts.portfolio_map(
            [] if empty else ["Fleet\nSMB", "Billing\nInternal"],
            [] if empty else ["Build", "Review", "Security"],
            np.empty((0, 0)) if empty else np.array([[12.0, np.nan, np.nan], [4.0, 1.0, 3.0]]),
            np.empty((0, 0)) if empty else np.array([[10.0, 2.0, np.nan], [10.0, 2.0, np.nan]]),
            np.empty((0, 0)) if empty else np.array([[5, 0, 0], [7, 2, 1]]),
            np.empty((0, 0)) if empty else np.array([[True, True, False], [True, True, True]]),
            "m",
        ),
        charts.stream_comparison(["x", "y"], [("v (items)", [1, 2], [None, 3])], "cmp"),
    ]
    for image in images:
        assert image.startswith(PNG) and len(image) > 5_000


def test_charts_are_deterministic():
    first = charts.velocity_run_chart([date(2026, 1, 5)], [4], "v")
    assert charts.velocity_run_chart([date(2026, 1, 5)], [4], "v") == first


@pytest.mark.parametrize("empty", [True, False])
def test_the_business_and_signal_charts_render_with_and_without_data(empty):
    weeks = [] if empty else [date(2025, 7, 7) + timedelta(weeks=w) for w in range(52)]
    n = len(weeks)
    in_half = [w >= date(2026, 1, 1) for w in weeks]
    months = [] if empty else [date(2025, 7, 1) + pd.DateOffset(months=m) for m in range(12)]
    months = [pd.Timestamp(m).date() for m in months]
    signals = [None] * n
    if n:
        signals[30], signals[40] = "beyond_limit", "run_of_8"
    images = [
        charts.xmr_chart(
            weeks,
            [float(w % 7) for w in range(n)],
            in_half,
            [3.0 if h else None for h in in_half],
            [8.0 if h else None for h in in_half],
            [0.0 if h else None for h in in_half],
            signals,
            "Flow velocity (items/week)",
            "x",
        ),
        # no limits (a short baseline) and a week without a value
        charts.xmr_chart(
            weeks,
            [None] + [1.0] * (n - 1) if n else [],
            in_half,
            [None] * n,
            [None] * n,
            [None] * n,
            [None] * n,
            "Flow time, median (days)",
            "x",
        ),  # fmt: skip
        charts.outcome_against_flow(
            months,
            [20.0 + m for m in range(len(months))],
            [5] * len(months),
            [12.0] * len(months),
            "Trial fleets converting to paid within 14 days (%)",
            date(2026, 1, 1),
            "o",
        ),  # fmt: skip
        charts.revenue_view(
            [] if empty else ["Earner", "Essential"],
            [] if empty else [1_000_000.0, None],
            [] if empty else [400_000.0, 300_000.0],
            "EUR",
            "r",
        ),
    ]
    for image in images:
        assert image.startswith(PNG) and len(image) > 5_000


def test_the_revenue_view_puts_earning_streams_first_and_shares_their_revenue():
    from flowmart.report.review import StreamReview, revenue_view

    def stream(stream_id: str, revenue: float | None, kind: str = "top_level") -> StreamReview:
        empty = pd.DataFrame()
        return StreamReview(
            stream_id, stream_id.title(), {"stream_kind": kind, "is_unassigned": stream_id == "unassigned"},
            {"revenue": revenue, "cost": 10.0}, [], empty, empty, empty, empty, empty, empty, empty, empty, empty,
        )  # fmt: skip

    streams = [
        stream("all", 400.0),
        stream("platform", None, "supporting"),
        stream("small", 100.0),
        stream("big", 300.0),
        stream("free", 0.0),
        stream("unassigned", None),
    ]
    view = revenue_view(streams)
    # earning streams by revenue, then those earning nothing (None or 0) by name; no portfolio, no unassigned
    assert [(r["stream_id"], r["earns"]) for r in view] == [
        ("big", True),
        ("small", True),
        ("free", False),
        ("platform", False),
    ]
    # shares of the 400 the streams earned: 300 / 400 = 75%, 100 / 400 = 25%; none for the others
    assert [r["revenue_share_pct"] for r in view] == [75.0, 25.0, None, None]
    assert streams[3].metrics["revenue_share_pct"] == 75.0  # stored with the stream's numbers


def test_the_cfd_has_a_band_per_stage_bottom_to_top_and_arrivals_are_their_sum():
    from types import SimpleNamespace

    from flowmart.report.review import cfd_by_stage

    half = Half(2026, 1)
    rows = [
        # day 1: one item in Discover, one in Build; day 2: the Build item is done, a new item arrives in Discover
        ("s", date(2026, 1, 1), "Discover", 1),
        ("s", date(2026, 1, 1), "Build", 1),
        ("s", date(2026, 1, 2), "Discover", 2),
        ("s", date(2026, 1, 2), "done", 1),
        ("t", date(2026, 1, 2), "Review", 4),
    ]
    inputs = SimpleNamespace(
        cfd=pd.DataFrame(rows, columns=["value_stream_id", "date_day", "band", "items"]),
        half=half,
        stage_order=["Discover", "Decide", "Build", "Review", "(no stage)"],
    )
    table = cfd_by_stage(inputs, "s")
    # bottom to top: done, then the stages from the last to the first (Decide: no item, no band)
    assert list(table.columns) == ["done", "Build", "Discover"]
    assert len(table) == 181  # every day of the half, days without rows are zero
    arrivals = table.sum(axis=1)
    assert arrivals.iloc[0] == 2 and arrivals.iloc[1] == 3 and arrivals.iloc[5] == 0
    # the portfolio adds the streams up
    assert list(cfd_by_stage(inputs, "all").columns) == ["done", "Review", "Build", "Discover"]


def test_the_explorer_spec_has_tooltips_and_the_stream_and_type_filters():
    from flowmart.report import explore

    finished = [
        {
            "key": "A-1",
            "title": "t",
            "type": "feature",
            "stream": "s",
            "stream_name": "S",
            "started": "2026-01-02",
            "finished": "2026-01-09",
            "finished_day": "2026-01-09",
            "flow_time_days": 7.0,
        }
    ]
    wip = [
        {
            "key": "B-2",
            "title": "u",
            "type": "defect",
            "stream": "t",
            "stream_name": "T",
            "stage": "Build",
            "status": "In Progress",
            "state": "active",
            "started": "2026-06-01",
            "age_days": 30.0,
        }
    ]
    spec = explore.explorer_spec(
        finished, wip, ["Build"], {"p50": 5.0, "p85": None}, {50: 5.0}, {"s": "S", "t": "T"}, "x"
    )
    text = explore.spec_json(spec)
    params = {p["name"]: p for p in spec["params"]}
    # two streams: a drop-down of them; the types present (a click on a dot sets both: explore.EMBED)
    assert params["stream_pick"]["bind"]["options"] == ["all", "s", "t"]
    assert params["type_pick"]["bind"]["options"] == ["all", "feature", "defect"]
    assert "stream_pick" in explore.EMBED and 'addEventListener("click"' in explore.EMBED
    for field in ('"key"', '"finished"', '"started"', '"age_days"', '"stage"'):
        assert field in text
    assert "A-1" in text and "B-2" in text and "</" not in text


def test_the_scatter_and_histogram_say_what_they_leave_out():
    """Four flow items only: 2 finished items of an unmapped type and 3 finished without an observed start are
    counted under the charts, not drawn; nothing left out, no note."""
    from types import SimpleNamespace

    from flowmart.report.render import not_drawn_note

    note = not_drawn_note(SimpleNamespace(finished_unmapped=2, finished_without_start=3))
    assert note.startswith("Not drawn: 2 of an unmapped item type")
    assert "; 3 finished without an observed start" in note
    assert not_drawn_note(SimpleNamespace(finished_unmapped=0, finished_without_start=0)) == ""
    png = charts.flow_time_scatter(
        np.array(["2026-03-01", "2026-03-05"], dtype="datetime64[s]"),
        [1.5, 4.0],
        ["feature", "defect"],
        {"p50": 2.75, "p85": 3.6, "p95": 3.9},
        "t",
        note=note,
    )
    assert png.startswith(b"\x89PNG")


def test_the_distance_from_the_target_mix_is_over_the_four_flow_items():
    """Finished: feature 40%, defect 20%, risk 0%, debt 20%, unmapped 20%; target 50/25/0/25. Among the four
    (80% of the work): 40/80 = 50%, 20/80 = 25%, 0%, 25% - on target, distance 0 pp. Counting unmapped as a
    fifth kind would give (10 + 5 + 0 + 5 + 20) / 2 = 20 pp. Without a target the comparison says so."""
    from flowmart.report.render import direction_text
    from flowmart.report.review import _among_four, _distance

    shares = pd.Series([40.0, 20.0, 0.0, 20.0])  # feature, defect, risk, debt (unmapped left out)
    target = pd.Series([50.0, 25.0, 0.0, 25.0])
    assert _distance(_among_four(shares), target) == pytest.approx(0.0)
    assert _distance(pd.Series([40.0, 20.0, 0.0, 20.0, 20.0]), pd.Series([50.0, 25.0, 0.0, 25.0, 0.0])) == 20.0
    no_target = Comparison("distribution_distance_pp", "d", "pp", "lower", None, None, note="no target mix set")
    assert direction_text(no_target) == "no target mix set"
    assert direction_text(Comparison("flow_velocity", "v", "", "higher", 5.0, None)) == "no previous data"


def test_the_map_cells_are_the_p85_days_in_each_stage_against_its_policy():
    import duckdb

    from flowmart.report.data import ReviewInputs, stage_percentiles
    from flowmart.report.review import portfolio_map

    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        """create table marts.fct_work_items as select * from (values
            ('A', 's', true, timestamp '2026-01-08'),
            ('B', 's', true, timestamp '2026-01-16'),
            ('C', 's', true, timestamp '2026-01-12'),
            ('D', 's', true, timestamp '2025-12-20'),  -- finished before the half: not in it
            ('E', 's', false, timestamp '2026-01-10')  -- an epic: no flow item
        ) as t(work_item_id, value_stream_id, is_flow_item, finished_at)"""
    )
    con.execute(
        """create table marts.fct_status_intervals as select * from (values
            ('A', 'new', 'Discover', timestamp '2026-01-01', timestamp '2026-01-05'),
            ('A', 'active', 'Build', timestamp '2026-01-05', timestamp '2026-01-08'),
            ('A', 'done', 'Release', timestamp '2026-01-08', null),
            ('B', 'new', 'Discover', timestamp '2026-01-02', timestamp '2026-01-03'),
            ('B', 'active', 'Build', timestamp '2026-01-03', timestamp '2026-01-13'),
            ('B', 'done', 'Release', timestamp '2026-01-13', timestamp '2026-01-15'),  -- reopened: no stage time
            ('B', 'active', 'Build', timestamp '2026-01-15', timestamp '2026-01-16'),
            ('B', 'done', 'Release', timestamp '2026-01-16', null),
            ('C', 'new', 'Discover', timestamp '2026-01-01', timestamp '2026-01-11'),
            ('C', 'active', 'Build', timestamp '2026-01-11', timestamp '2026-01-12'),
            ('C', 'done', 'Release', timestamp '2026-01-12', null),
            ('D', 'active', 'Build', timestamp '2025-12-01', timestamp '2025-12-20'),
            ('E', 'active', 'Build', timestamp '2026-01-01', timestamp '2026-01-10')
        ) as t(work_item_id, flow_state, stage, entered_at, exited_at)"""
    )
    cells = stage_percentiles(con, date(2026, 1, 1), date(2026, 7, 1)).set_index("stage")
    # Build: A 3 days, B 10 + 1 = 11 (its 2 days in done before the reopen are no stage time), C 1;
    # sorted 1, 3, 11: the 85th percentile sits at 0.85 * (3 - 1) = 1.7 -> 3 + 0.7 * (11 - 3) = 8.6
    assert cells.loc["Build", "items_passed"] == 3
    assert cells.loc["Build", "p85_days"] == pytest.approx(8.6)
    # Discover (before the items' start, counted all the same): A 4, B 1, C 10 -> 4 + 0.7 * (10 - 4) = 8.2
    assert cells.loc["Discover", "p85_days"] == pytest.approx(8.2)
    # Release is done: no time in it, three items finished there
    assert cells.loc["Release", "items_passed"] == 0 and cells.loc["Release", "items_finished_in_stage"] == 3

    empty = pd.DataFrame()
    stage_time = pd.DataFrame(
        {"value_stream_id": ["s"], "stage": ["Build"], "total_days": [15.0], "items_finished": [3]}
    )
    facts = pd.DataFrame(
        {
            "value_stream_id": ["s"] * 4,
            "stage": ["Discover", "Build", "Review", "Release"],
            "policy_sla_days": [10.0, 5.0, 2.0, None],
        }
    )
    streams = pd.DataFrame(
        {
            "value_stream_id": ["s"],
            "name": ["Fleet Starter"],
            "customer_segment": ["Internal (serves SMB and Enterprise customers)"],
            "is_unassigned": [False],
        }
    )
    inputs = ReviewInputs(
        Half(2026, 1), streams, empty, empty, empty, empty, empty, stage_time, empty, empty,
        stage_order=["Discover", "Build", "Review", "Security Review", "Release"],
        stage_facts=facts, stage_p85=cells.reset_index(),
    )  # fmt: skip
    stage_map = portfolio_map(inputs)
    # the segment is wrapped onto lines of at most 30 characters, never cut
    assert stage_map.rows == ["Fleet Starter\nInternal (serves SMB and\nEnterprise customers)"]
    assert stage_map.stages == ["Discover", "Build", "Review", "Security Review", "Release"]
    # Build: p85 8.6 days against a 5-day policy; Review configured but empty; Security Review not the stream's
    assert stage_map.p85_days[0, 1] == pytest.approx(8.6) and stage_map.policy_days[0, 1] == 5.0
    assert np.isnan(stage_map.p85_days[0, 2]) and stage_map.configured[0, 2]
    assert not stage_map.configured[0, 3]
    assert stage_map.items_finished_in[0, 4] == 3 and np.isnan(stage_map.policy_days[0, 4])
    # the snapshot's stage_days_: 15 days in Build over 3 finished items = 5 per item
    assert stage_map.mean_days[0, 1] == pytest.approx(5.0)


def test_the_review_says_how_much_active_time_is_active_only_by_the_tracker_s_category():
    from flowmart.report.review import guessed_active_share

    stage = pd.DataFrame(
        {
            "status": ["In Progress", "Parked", "In Review", "On Hold"],
            "flow_state": ["active", "active", "waiting", "active"],
            "total_days": [30.0, 6.0, 20.0, 0.0],
        }
    )
    # active days 30 + 6 + 0 = 36; Parked's 6 of them are active only by category: 6 / 36 = 16.6667%;
    # On Hold is unmapped too but took no time, so it is not named
    share, names = guessed_active_share(stage, {"Parked", "On Hold"})
    assert share == pytest.approx(100 * 6 / 36, abs=1e-4) and names == ["Parked"]
    assert guessed_active_share(stage, set()) == (0.0, [])
    assert guessed_active_share(stage[stage.flow_state == "waiting"], {"Parked"}) == (None, [])


def test_the_explorer_draws_a_stable_sample_of_a_large_half_year():
    from flowmart.report.explore import sampled

    records = [{"key": f"K-{i}"} for i in range(10)]
    assert sampled(records, 10, "s") is records  # 10 fit in 10: all of them, as they are
    first = sampled(records, 4, "2026-H1:smb")
    # 4 of the 10, in their original order, and the same 4 each time the report is written
    assert len(first) == 4 and first == sorted(first, key=lambda r: int(r["key"][2:]))
    assert sampled(records, 4, "2026-H1:smb") == first
    assert len({r["key"] for r in first}) == 4
