"""The review's numbers: pure functions from the marts' rows (``ReviewInputs``) to a ``Review``.

Every number shown in the report is in ``Review.snapshot`` (one row per stream and metric), which is
stored in ``marts.review_snapshots`` and rendered by the template, so the document, the table and the
marts agree by construction. Numbers taken from a mart keep the mart's value (rounded to 6 decimals, see
docs/adr/0018-review-numbers-keep-the-marts-values.md); the rest (WIP against the SLE, forecasts, prompts) are computed here.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from flowmart.report import forecast as mc
from flowmart.report.data import FLOW_ITEM_TYPES, PORTFOLIO, ReviewInputs

ALL_TYPES = (*FLOW_ITEM_TYPES, "unmapped")
DECIMALS = 6

# Review-prompt thresholds (docs/report.md explains them; change them here).
SPLIT_MIN_ITEMS = 20  # a segment and the rest of its stream each need this many finished items
SPLIT_FLOW_TIME_RATIO = 1.5  # p85 flow time of a segment vs the rest of its stream: x1.5 or /1.5 is material
SPLIT_DISTRIBUTION_DISTANCE = 25.0  # percentage points of total variation distance between the mixes
MOSTLY_SHARE = 50.0  # "mostly fed by": more than half of the items created in the half-year
WATCH_SHARE = 20.0  # listed as worth a look above this share

# The five flow metrics as the review compares them: (snapshot metric, label, unit, better when)
COMPARED = (
    ("flow_velocity", "Flow velocity", "items", "higher"),
    ("flow_time_p50_days", "Flow time, median (p50)", "days", "lower"),
    ("flow_time_p85_days", "Flow time, p85", "days", "lower"),
    ("flow_load_avg", "Flow load, average", "items", "lower"),
    ("flow_efficiency_pct", "Flow efficiency", "%", "higher"),
    ("distribution_distance_pp", "Flow distribution: distance from target mix", "pp", "lower"),
)


def _num(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    return round(number, DECIMALS)


@dataclass
class Comparison:
    metric: str
    label: str
    unit: str
    better: str
    current: float | None
    previous: float | None
    note: str = ""  # said instead of the direction (e.g. "no target mix set")

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def change_pct(self) -> float | None:
        if self.change is None or not self.previous:
            return None
        return 100.0 * self.change / abs(self.previous)

    @property
    def direction(self) -> str:
        """`better`, `worse`, `same` or `n/a` (no previous value)."""
        change = self.change
        if change is None:
            return "n/a"
        if abs(change) < 1e-9 or (self.previous and abs(change / self.previous) < 0.005):
            return "same"
        return "better" if (change > 0) == (self.better == "higher") else "worse"


@dataclass
class StreamReview:
    stream_id: str
    name: str
    info: dict  # dim_value_streams row
    metrics: dict[str, float | None]  # everything stored in the snapshot for this stream
    comparisons: list[Comparison]
    distribution: pd.DataFrame  # flow_item_type, current_pct, previous_pct, target_pct
    weeks: pd.DataFrame  # period_start, flow_velocity, flow_load_avg
    finished: pd.DataFrame  # finished items: finished_at, flow_time_days, flow_item_type
    months: pd.DataFrame  # period_start, flow_efficiency (12 months)
    month_mix: pd.DataFrame  # month x flow_item_type share of velocity
    daily: pd.DataFrame  # date_day, done_cumulative, waiting_count, active_count
    wip: pd.DataFrame  # current_status, age_days, current_flow_state, work_item_id, title
    stage_time: pd.DataFrame  # stage, status, flow_state, total_days, share_of_flow_time
    data_quality: pd.DataFrame
    forecasts: dict[str, mc.Forecast] = field(default_factory=dict)
    oldest_wip: pd.DataFrame | None = None
    # business results beside flow, month by month (fct_stream_outcomes): period_start, north_star_value,
    # revenue, cost, flow_velocity, flow_time_p85_days
    outcome_months: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the XmR charts (fct_flow_signals): metric, week_start, value, center_line, limits, signal, in_half
    xmr: pd.DataFrame = field(default_factory=pd.DataFrame)
    signals: list[dict] = field(default_factory=list)  # the half's weeks with a signal, in week order
    # finished in the half but not drawn in the scatter and histogram (the four flow items only):
    finished_without_start: int = 0  # no start observed, so no flow time (docs/adr/0062)
    finished_unmapped: int = 0  # an item type no flow_item_types row maps
    # statuses counted active in the half only by the tracker's status category (no status_mappings row)
    guessed_active_statuses: list[str] = field(default_factory=list)
    # the CFD by stage: one column per band, bottom to top (done, canceled, the stages last to first), a row a day
    cfd_bands: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def is_portfolio(self) -> bool:
        return self.stream_id == PORTFOLIO


@dataclass
class Review:
    half_label: str
    previous_label: str
    half_start: date
    as_of: str
    streams: list[StreamReview]  # the portfolio first, then each stream
    stage_order: list[str]
    status_order: list[str]
    stage_map: StageMap
    split_candidates: list[dict]
    merge_candidates: list[dict]
    feed: pd.DataFrame  # per stream: items created, unassigned/unmapped share
    snapshot: list[tuple[str, str, str, float | None]]
    settings: dict
    # the map's stages with their facts: (whose: "every stream" or a stream's name, [stage rows])
    stage_facts: list[tuple[str, list[dict]]] = field(default_factory=list)
    # the portfolio's revenue view: one row per stream, earning streams first (revenue_view())
    revenue_view: list[dict] = field(default_factory=list)
    currency: str = "amount"  # the unit(s) business_results.csv gives revenue and cost in


def _metric_rows(frame: pd.DataFrame, stream: str, period_start: date, item_type: str = "all") -> dict:
    rows = frame[
        (frame.value_stream_id == stream)
        & (frame.flow_item_type == item_type)
        & (pd.to_datetime(frame.period_start) == pd.Timestamp(period_start))
    ]
    return rows.iloc[0].to_dict() if len(rows) else {}


def _distribution(inputs: ReviewInputs, stream: str) -> pd.DataFrame:
    half, previous = inputs.half.start, inputs.half.previous().start
    seed = inputs.targets
    seed = seed[seed.value_stream_id == stream]
    # the target mix of the seed (fct_flow_metrics.flow_distribution_target_pct carries the same numbers,
    # but only on rows of types the stream finished)
    targets = {row.flow_item_type: _num(row.target_pct) for row in seed.itertuples()}
    has_current = bool(_metric_rows(inputs.half_metrics, stream, half))
    has_previous = bool(_metric_rows(inputs.half_metrics, stream, previous))
    records = []
    for kind in ALL_TYPES:
        current = _metric_rows(inputs.half_metrics, stream, half, kind)
        before = _metric_rows(inputs.half_metrics, stream, previous, kind)
        # a type without a row had no items in the half: 0% (when the stream had any), else unknown
        records.append(
            {
                "flow_item_type": kind,
                "current_pct": _num(current.get("flow_distribution_pct"))
                if current
                else (0.0 if has_current else None),
                "previous_pct": _num(before.get("flow_distribution_pct"))
                if before
                else (0.0 if has_previous else None),
                "target_pct": targets.get(kind),
                "velocity": int(current.get("flow_velocity") or 0),
            }
        )
    frame = pd.DataFrame.from_records(records)
    return frame


def _among_four(shares: pd.Series) -> pd.Series:
    """Shares of the four flow items rescaled to sum to 100 among themselves (unmapped work left out)."""
    total = shares.fillna(0).sum()
    return shares * (100.0 / total) if total else shares


def _distance(shares: pd.Series, target: pd.Series) -> float | None:
    """Total variation distance between a mix and its target, in percentage points (0 = on target); None
    (shown "–") without a target or without a mix (nothing finished: no distance to measure)."""
    if target.isna().all() or shares.isna().all() or not shares.fillna(0).abs().sum():
        return None
    return round(0.5 * float((shares.fillna(0) - target.fillna(0)).abs().sum()), DECIMALS)


AGING_PERCENTILES = (50, 70, 85, 95)
NEXT_ITEMS = 10  # the review's "when will the next N items be done"


def _sle(metrics: dict) -> float | None:
    return metrics.get("flow_time_p85_days")


def _stream_review(inputs: ReviewInputs, stream: str, info: dict, seed_text: str, trials: int) -> StreamReview:
    half = inputs.half
    current = _metric_rows(inputs.half_metrics, stream, half.start)
    previous = _metric_rows(inputs.half_metrics, stream, half.previous().start)
    in_stream = (lambda f: f) if stream == PORTFOLIO else (lambda f: f[f.value_stream_id == stream])

    metrics: dict[str, float | None] = {}
    for column in (
        "flow_velocity",
        "flow_time_p50_days",
        "flow_time_p85_days",
        "flow_time_p95_days",
        "flow_time_mean_days",
        "flow_efficiency",
        "flow_load_avg",
        "flow_load_end",
        "items_canceled",
        "items_started",
        "flow_time_item_count",
        "littles_law_load",
    ):
        metrics[column] = _num(current.get(column)) if current else None
        metrics[f"{column}_previous"] = _num(previous.get(column)) if previous else None
    if current and metrics["flow_velocity"] is None:
        metrics["flow_velocity"] = 0.0
    for key in ("", "_previous"):
        efficiency = metrics[f"flow_efficiency{key}"]
        metrics[f"flow_efficiency_pct{key}"] = None if efficiency is None else round(100 * efficiency, DECIMALS)

    distribution = _distribution(inputs, stream)
    for row in distribution.itertuples():
        metrics[f"distribution_{row.flow_item_type}_pct"] = row.current_pct
        metrics[f"distribution_{row.flow_item_type}_pct_previous"] = row.previous_pct
        metrics[f"distribution_{row.flow_item_type}_target_pct"] = row.target_pct
    # the distance from the target mix is over the four flow items: unmapped work is a data gap, not a fifth
    # kind of work, so their shares are taken among the four (docs/report.md)
    four = distribution[distribution.flow_item_type.isin(FLOW_ITEM_TYPES)]
    target = four.target_pct
    metrics["distribution_distance_pp"] = _distance(_among_four(four.current_pct), target)
    metrics["distribution_distance_pp_previous"] = (
        _distance(_among_four(four.previous_pct), target) if four.previous_pct.notna().any() else None
    )
    no_target = "no target mix set" if target.isna().all() else ""

    comparisons = [
        Comparison(
            metric,
            label,
            unit,
            better,
            metrics.get(metric),
            metrics.get(f"{metric}_previous"),
            note=no_target if metric == "distribution_distance_pp" else "",
        )
        for metric, label, unit, better in COMPARED
    ]

    # weekly run chart and Little's-law points
    weeks = inputs.week_metrics
    weeks = weeks[(weeks.value_stream_id == stream) & (weeks.flow_item_type == "all")][
        ["period_start", "flow_velocity", "flow_load_avg"]
    ].reset_index(drop=True)

    items = in_stream(inputs.items)
    start_ts, end_ts = pd.Timestamp(half.start), pd.Timestamp(half.end)
    finished = items[(items.finished_at >= start_ts) & (items.finished_at < end_ts)]
    finished_timed = finished[finished.flow_time_days.notna()][
        [
            "work_item_id",
            "finished_at",
            "flow_time_days",
            "flow_item_type",
            "project_key",
            "instance",
            # for the interactive charts (hover: key, type, dates; filter by stream and type)
            "item_key",
            "title",
            "value_stream_id",
            "started_at",
        ]
    ]

    months = inputs.month_metrics
    months_all = months[(months.value_stream_id == stream) & (months.flow_item_type == "all")][
        ["period_start", "flow_efficiency", "flow_velocity"]
    ].reset_index(drop=True)
    in_half = months[
        (months.value_stream_id == stream)
        & (pd.to_datetime(months.period_start) >= start_ts)
        & (months.flow_item_type != "all")
    ]
    month_mix = in_half.pivot_table(
        index="period_start", columns="flow_item_type", values="flow_distribution_pct", aggfunc="sum"
    ).fillna(0.0)
    month_mix = month_mix.reindex(columns=[c for c in ALL_TYPES if c in month_mix.columns])

    # CFD: cumulative departures since the half began, plus waiting and active at the end of each day
    daily = inputs.daily
    daily = daily if stream == PORTFOLIO else daily[daily.value_stream_id == stream]
    daily = daily.groupby("date_day", as_index=False)[
        ["flow_load", "active_count", "waiting_count", "arrivals", "departures", "canceled", "created"]
    ].sum()
    history_from = (end_ts - pd.Timedelta(weeks=inputs.history_weeks)).date()
    history = daily[pd.to_datetime(daily.date_day) >= pd.Timestamp(history_from)]
    history_days = pd.date_range(history_from, half.last_day, freq="D")
    throughput = (
        history.set_index(pd.to_datetime(history.date_day))
        .departures.reindex(history_days, fill_value=0)
        .astype(int)
        .tolist()
    )
    in_half_days = daily[pd.to_datetime(daily.date_day) >= start_ts].copy()
    in_half_days["done_cumulative"] = in_half_days.departures.cumsum()
    cfd = in_half_days[["date_day", "done_cumulative", "waiting_count", "active_count", "flow_load"]].reset_index(
        drop=True
    )

    cfd_bands = cfd_by_stage(inputs, stream)

    # aging WIP against the SLE (85th percentile flow time of the half)
    wip = (
        items[items.is_wip.fillna(False).astype(bool)][
            [
                "work_item_id",
                "item_key",
                "title",
                "current_status",
                "current_stage",
                "current_flow_state",
                "age_days",
                "flow_item_type",
                "value_stream_id",
                "started_at",
            ]
        ]
        .sort_values(["age_days", "work_item_id"], ascending=[False, True])
        .reset_index(drop=True)
    )
    sle = _sle(metrics)
    metrics["sle_days"] = sle
    metrics["wip_items"] = float(len(wip))
    metrics["wip_older_than_sle_items"] = float((wip.age_days > sle).sum()) if sle is not None else None
    metrics["wip_age_p50_days"] = _num(wip.age_days.median()) if len(wip) else None
    # the aging chart's percentile bands: how long the half's finished items took (ActionableAgile's 50/70/85/95)
    times = finished_timed.flow_time_days.astype(float)
    for pct in AGING_PERCENTILES:
        metrics[f"aging_p{pct}_days"] = _num(float(np.percentile(times, pct))) if len(times) else None
    # in progress with the start unknown (the history does not show it): counted, not aged (ADR 0062)
    metrics["wip_start_unknown_items"] = float(wip.age_days.isna().sum())

    # where work waits
    stage = inputs.stage_time
    stage = stage if stream == PORTFOLIO else stage[stage.value_stream_id == stream]
    stage = stage.groupby(["stage", "status", "flow_state"], as_index=False, dropna=False)[["total_days"]].sum()
    total = float(stage.total_days.sum())
    stage["share_of_flow_time"] = stage.total_days / total if total > 0 else np.nan
    order = {s: i for i, s in enumerate(inputs.status_order)}
    stage["order"] = stage.status.map(order).fillna(len(order))
    stage = stage.sort_values(["order", "status"]).drop(columns="order").reset_index(drop=True)
    waiting = float(stage.loc[stage.flow_state != "active", "total_days"].sum())
    metrics["waiting_share_pct"] = round(100 * waiting / total, DECIMALS) if total > 0 else None
    # active only by the tracker's status category (no mapping row): flow efficiency counts it, so say how much
    guessed = inputs.guessed_active
    if guessed is None or not len(guessed):
        guessed_statuses: set = set()
    else:
        guessed_statuses = set((guessed if stream == PORTFOLIO else guessed[guessed.value_stream_id == stream]).status)
    metrics["guessed_active_share_pct"], guessed_active_statuses = guessed_active_share(stage, guessed_statuses)

    # data quality
    quality = inputs.data_quality
    quality = quality if stream == PORTFOLIO else quality[quality.value_stream_id == stream]
    examples = {
        check: _joined_examples(part.example_values, " | " if check == "unknown_status" else ", ")
        for check, part in quality[quality.example_values.notna() & (quality.affected_count > 0)].groupby("check_name")
    }
    quality = quality.groupby(["check_name", "checked_unit"], as_index=False)[["affected_count", "checked_count"]].sum()
    quality["example_values"] = quality.check_name.map(examples)
    quality["affected_pct"] = np.where(
        quality.checked_count > 0,
        100.0 * quality.affected_count / quality.checked_count.where(quality.checked_count > 0, 1),
        np.nan,
    )
    for row in quality.itertuples():
        metrics[f"dq_{row.check_name}"] = float(row.affected_count)

    # forecasts: Monte Carlo over the last N weeks of daily throughput
    forecasts = {
        "13w": mc.how_many(throughput, 91, trials=trials, seed=mc.stable_seed(seed_text, stream, "13w")),
        "26w": mc.how_many(throughput, 182, trials=trials, seed=mc.stable_seed(seed_text, stream, "26w")),
        "wip": mc.when_done(throughput, len(wip), trials=trials, seed=mc.stable_seed(seed_text, stream, "wip")),
    }
    # the questions people ask, on dates: the next NEXT_ITEMS items, and how many by the end of the next quarter
    next_quarter_end = (pd.Timestamp(half.end) + pd.DateOffset(months=3)).date() - pd.Timedelta(days=1)
    forecasts["next_items"] = mc.items_done_by(
        throughput, NEXT_ITEMS, half.end, trials=trials, seed=mc.stable_seed(seed_text, stream, "next_items")
    ).days
    forecasts["next_quarter"] = mc.how_many_by(
        throughput, half.end, next_quarter_end, trials=trials, seed=mc.stable_seed(seed_text, stream, "next_quarter")
    )
    metrics["throughput_history_days"] = float(len(throughput))
    metrics["throughput_history_items"] = float(sum(throughput))
    prefixes = {"wip": "wip_done", "next_items": f"next_{NEXT_ITEMS}_done"}
    for name, result in forecasts.items():
        kind = "days" if name in prefixes else "items"
        prefix = prefixes.get(name, f"forecast_{name}")
        for confidence, value in result.values.items():
            metrics[f"{prefix}_{kind}_p{round(confidence * 100)}"] = None if value is None else float(value)

    outcome_months = stream_outcomes(inputs, stream, metrics)
    xmr, signals = stream_signals(inputs, stream, metrics)

    return StreamReview(
        stream_id=stream,
        name="Portfolio (all streams)" if stream == PORTFOLIO else str(info.get("name") or stream),
        info=info,
        metrics=metrics,
        comparisons=comparisons,
        distribution=distribution,
        weeks=weeks,
        finished=finished_timed.reset_index(drop=True),
        finished_without_start=int(finished.flow_time_days.isna().sum()),
        finished_unmapped=int((finished_timed.flow_item_type == "unmapped").sum()),
        guessed_active_statuses=guessed_active_statuses,
        months=months_all,
        month_mix=month_mix,
        daily=cfd,
        cfd_bands=cfd_bands,
        wip=wip,
        stage_time=stage,
        data_quality=quality,
        forecasts=forecasts,
        oldest_wip=wip.head(5),
        outcome_months=outcome_months,
        xmr=xmr,
        signals=signals,
    )


def cfd_by_stage(inputs: ReviewInputs, stream: str) -> pd.DataFrame:
    """Items at the end of each day of the half per band, the columns bottom to top as the CFD stacks them:
    done and canceled since the half began, then the configured stages from the last to the first (the stages
    no item was in are left out), '(no stage)' on top. Their sum each day is the arrivals line."""
    frame = inputs.cfd
    if frame is None or not len(frame):
        return pd.DataFrame()
    frame = frame if stream == PORTFOLIO else frame[frame.value_stream_id == stream]
    if not len(frame):
        return pd.DataFrame()
    days = pd.date_range(inputs.half.start, inputs.half.last_day, freq="D")
    frame = frame.assign(date_day=pd.to_datetime(frame.date_day))
    table = frame.pivot_table(index="date_day", columns="band", values="items", aggfunc="sum")
    table = table.reindex(days).fillna(0).astype(int)
    stages = [s for s in inputs.stage_order if s in table.columns and s != "(no stage)"]
    stages += sorted(set(table.columns) - set(stages) - {"done", "canceled", "(no stage)"})
    order = [c for c in ("done", "canceled") if c in table.columns] + stages[::-1]
    order += ["(no stage)"] if "(no stage)" in table.columns else []
    table = table[order]
    table.index.name = "date_day"
    return table


# business results (fct_stream_outcomes): levels are averaged over a period's months, amounts summed
OUTCOMES = ("north_star_value", "revenue", "cost", "quality", "happiness")
AMOUNTS = ("revenue", "cost")


def stream_outcomes(inputs: ReviewInputs, stream: str, metrics: dict) -> pd.DataFrame:
    """The stream's business results of this and the previous half into ``metrics`` (the portfolio: revenue
    and cost summed over the streams); returns its months (the 12 to the half's end) for the chart."""
    frame = inputs.outcomes
    columns = ["period_start", "north_star_value", "revenue", "cost", "flow_velocity", "flow_time_p85_days"]
    for column in AMOUNTS if stream == PORTFOLIO else OUTCOMES:
        metrics[column] = metrics[f"{column}_previous"] = None
    if frame is None or not len(frame):
        return pd.DataFrame(columns=columns)
    halves = frame[frame.period_grain == "half_year"]
    for key, start in (("", inputs.half.start), ("_previous", inputs.half.previous().start)):
        rows = halves[pd.to_datetime(halves.period_start) == pd.Timestamp(start)]
        if stream == PORTFOLIO:
            for column in AMOUNTS:
                values = rows[column].dropna()
                metrics[f"{column}{key}"] = _num(values.sum()) if len(values) else None
        else:
            row = rows[rows.value_stream_id == stream]
            for column in OUTCOMES:
                metrics[f"{column}{key}"] = _num(row[column].iloc[0]) if len(row) else None
    if stream == PORTFOLIO:
        return pd.DataFrame(columns=columns)
    months = frame[(frame.period_grain == "month") & (frame.value_stream_id == stream)]
    return months[columns].sort_values("period_start").reset_index(drop=True)


XMR_METRICS = {"flow_velocity": "Flow velocity (items/week)", "flow_time_p50_days": "Flow time, median (days)"}
SIGNAL_RULES = {
    "beyond_limit": "beyond a natural process limit",
    "three_of_four_near_limit": "3 of 4 successive weeks closer to a limit than to the centre line",
    "run_of_8": "8 or more successive weeks on one side of the centre line",
}


def stream_signals(inputs: ReviewInputs, stream: str, metrics: dict) -> tuple[pd.DataFrame, list[dict]]:
    """The stream's XmR chart rows (the baseline weeks before the half too, ``in_half`` false) and its
    signals in the half; the half's limits and signal counts into ``metrics``."""
    frame = inputs.signals
    for metric in XMR_METRICS:
        for name in ("center_line", "upper_limit", "lower_limit", "signal_weeks"):
            metrics[f"xmr_{metric}_{name}"] = None
    if frame is None or not len(frame):
        return pd.DataFrame(), []
    frame = frame[frame.value_stream_id == stream].copy()
    frame["in_half"] = pd.to_datetime(frame.week_start) >= pd.Timestamp(inputs.half.start)
    found = []
    for metric, label in XMR_METRICS.items():
        part = frame[(frame.metric == metric) & frame.in_half]
        first = part.iloc[0] if len(part) else None
        for name, column in (
            ("center_line", "center_line"),
            ("upper_limit", "upper_natural_process_limit"),
            ("lower_limit", "lower_natural_process_limit"),
        ):
            metrics[f"xmr_{metric}_{name}"] = None if first is None else _num(first[column])
        metrics[f"xmr_{metric}_signal_weeks"] = float(part.signal.notna().sum()) if len(part) else None
        for row in part[part.signal.notna()].itertuples():
            found.append(
                {
                    "week_start": pd.Timestamp(row.week_start).date(),
                    "metric": metric,
                    "metric_label": label,
                    "value": _num(row.value),
                    "signal": row.signal,
                    "rule": SIGNAL_RULES.get(row.signal, row.signal),
                    "center_line": _num(row.center_line),
                    "upper": _num(row.upper_natural_process_limit),
                    "lower": _num(row.lower_natural_process_limit),
                }
            )
    found.sort(key=lambda r: (r["week_start"], r["metric"]))
    return frame.reset_index(drop=True), found


def revenue_view(streams: list[StreamReview]) -> list[dict]:
    """Per declared stream: what it earned and cost in the half, its share of the portfolio's revenue, its
    north-star metric and flow; streams earning revenue first (most first), then the streams that earn none
    and are essential all the same (supporting or enabling the earning ones)."""
    declared = [s for s in streams if not s.is_portfolio and not s.info.get("is_unassigned")]
    total = sum(s.metrics.get("revenue") or 0.0 for s in declared)
    rows = []
    for s in declared:
        m = s.metrics
        revenue = m.get("revenue")
        earns = bool(revenue and revenue > 0)
        share = round(100.0 * revenue / total, DECIMALS) if earns and total > 0 else None
        m["revenue_share_pct"] = share
        rows.append(
            {
                "stream_id": s.stream_id,
                "name": s.name,
                "kind": s.info.get("stream_kind"),
                "serves": s.info.get("serves"),
                "earns": earns,
                "revenue": revenue,
                "revenue_previous": m.get("revenue_previous"),
                "revenue_share_pct": share,
                "cost": m.get("cost"),
                "north_star_metric": s.info.get("north_star_metric"),
                "north_star_value": m.get("north_star_value"),
                "north_star_value_previous": m.get("north_star_value_previous"),
                "flow_velocity": m.get("flow_velocity"),
                "flow_time_p85_days": m.get("flow_time_p85_days"),
            }
        )
    rows.sort(key=lambda r: (not r["earns"], -(r["revenue"] or 0.0), r["name"]))
    return rows


def _p85(values: pd.Series) -> float:
    return float(np.percentile(values.to_numpy(dtype=float), 85))  # linear = SQL percentile_cont


def split_candidates(inputs: ReviewInputs) -> list[dict]:
    """Segments (tracker project, else instance) inside one stream whose flow time or mix differ materially."""
    half = inputs.half
    items = inputs.items
    finished = items[
        (items.finished_at >= pd.Timestamp(half.start))
        & (items.finished_at < pd.Timestamp(half.end))
        & (items.value_stream_id != "unassigned")
    ].copy()
    finished["segment"] = finished.project_key.fillna(finished.instance).fillna("(unknown)")
    found = []
    for stream, group in finished.groupby("value_stream_id", sort=True):
        segments = sorted(group.segment.unique())
        if len(segments) < 2:
            continue
        # with two segments, "one against the rest" is the same comparison twice: report it once
        for segment in segments[:1] if len(segments) == 2 else segments:
            part = group[group.segment == segment]
            rest = group[group.segment != segment]
            timed, rest_timed = part.flow_time_days.dropna(), rest.flow_time_days.dropna()
            if len(timed) < SPLIT_MIN_ITEMS or len(rest_timed) < SPLIT_MIN_ITEMS:
                continue
            p85, rest_p85 = _p85(timed), _p85(rest_timed)
            ratio = p85 / rest_p85 if rest_p85 > 0 else math.inf
            mix = part.flow_item_type.value_counts(normalize=True) * 100
            rest_mix = rest.flow_item_type.value_counts(normalize=True) * 100
            distance = 0.5 * float(
                mix.reindex(ALL_TYPES, fill_value=0).sub(rest_mix.reindex(ALL_TYPES, fill_value=0)).abs().sum()
            )
            reasons = []
            if ratio >= SPLIT_FLOW_TIME_RATIO or ratio <= 1 / SPLIT_FLOW_TIME_RATIO:
                reasons.append(
                    f"p85 flow time {p85:.1f} d vs {rest_p85:.1f} d in the rest of the stream (x{ratio:.2f})"
                )
            if distance >= SPLIT_DISTRIBUTION_DISTANCE:
                reasons.append(f"flow distribution {distance:.0f} pp away from the rest of the stream")
            if reasons:
                found.append(
                    {
                        "stream": stream,
                        "segment": segment,
                        "finished_items": len(part),
                        "rest_items": len(rest),
                        "p85_days": round(p85, DECIMALS),
                        "rest_p85_days": round(rest_p85, DECIMALS),
                        "flow_time_ratio": round(ratio, DECIMALS),
                        "distribution_distance_pp": round(distance, DECIMALS),
                        "reasons": reasons,
                    }
                )
    return found


def _clean(row: dict) -> dict:
    """A record with SQL nulls as None (pandas reads them as NaN)."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


def _norm(text) -> str:
    return " ".join(str(text).lower().split()) if isinstance(text, str) else ""


def merge_candidates(streams: pd.DataFrame) -> list[dict]:
    """Pairs of streams sharing trigger, finish line and north-star metric (all three set and equal)."""
    declared = streams[~streams.is_unassigned.fillna(False).astype(bool)]
    rows = sorted(declared.to_dict("records"), key=lambda r: r["value_stream_id"])
    found = []
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            keys = ("start_trigger", "finish_line", "north_star_metric")
            if all(_norm(a.get(k)) and _norm(a.get(k)) == _norm(b.get(k)) for k in keys):
                found.append(
                    {
                        "streams": (a["value_stream_id"], b["value_stream_id"]),
                        "trigger": a["start_trigger"],
                        "finish_line": a["finish_line"],
                        "north_star_metric": a["north_star_metric"],
                    }
                )
    return found


def feed(inputs: ReviewInputs) -> pd.DataFrame:
    """Per stream: items created in the half-year, and the share unassigned or of unmapped type."""
    created = inputs.created
    if created.empty:
        created = pd.DataFrame(columns=["value_stream_id", "items_created", "unassigned_or_unmapped_items"])
    total = int(created.items_created.sum())
    rows = []
    for row in created[created.value_stream_id.notna()].sort_values("value_stream_id").itertuples():
        stream, count = row.value_stream_id, int(row.items_created)
        share = 100.0 * int(row.unassigned_or_unmapped_items) / count
        portfolio_share = 100.0 * count / total
        if stream == "unassigned":  # the pool itself: judged by its share of all work created
            flag = "pool-large" if portfolio_share > WATCH_SHARE else "pool"
        else:
            flag = "mostly" if share > MOSTLY_SHARE else ("watch" if share > WATCH_SHARE else "")
        rows.append(
            {
                "value_stream_id": stream,
                "items_created": count,
                "share_of_portfolio_pct": round(portfolio_share, DECIMALS),
                "unmapped_type_items": int(row.unmapped_type_items),
                "unassigned_or_unmapped_pct": round(share, DECIMALS),
                "flag": flag,
            }
        )
    return pd.DataFrame.from_records(
        rows,
        columns=[
            "value_stream_id",
            "items_created",
            "share_of_portfolio_pct",
            "unmapped_type_items",
            "unassigned_or_unmapped_pct",
            "flag",
        ],
    )


def _joined_examples(values, separator: str, limit: int = 12) -> str:
    """The distinct examples of one check across sources and streams (fct_data_quality joins seed rows
    with ' | ', the other examples with ', '), at most ``limit`` of them."""
    seen: list[str] = []
    for value in values:
        for part in value.split(separator):
            if part and part not in seen:
                seen.append(part)
    more = len(seen) - limit
    return " | ".join(seen[:limit]) + (f" | and {more} more" if more > 0 else "")


@dataclass
class StageMap:
    """The two-dimensional value-stream map: customer segments and their streams down, configured stages
    across. Each cell holds, for the items finished in the half that spent time in the stage, the 85th
    percentile of their days in it against the stage's policy (policy_sla_days) for that stream."""

    rows: list[str]  # "stream name\nsegment" per stream, grouped by segment
    stream_ids: list[str]
    stages: list[str]
    p85_days: np.ndarray  # rows x stages; nan where no finished item passed the stage
    policy_days: np.ndarray  # rows x stages; nan where the stage has no policy (or is not the stream's)
    items_passed: np.ndarray  # rows x stages
    items_finished_in: np.ndarray  # rows x stages: items that finished in one of the stage's done statuses
    configured: np.ndarray  # rows x stages: is the stage one of the stream's (seeds/value_stream_stages.csv)
    mean_days: np.ndarray  # rows x stages: days in the stage per finished item (the snapshot's stage_days_)


def _wrapped(text: str, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def guessed_active_share(stage: pd.DataFrame, guessed: set) -> tuple[float | None, list[str]]:
    """Of the active days in ``stage`` (status, flow_state, total_days rows), the share (%) spent in the
    ``guessed`` statuses (active only by the tracker's status category), and those of them with time."""
    active = stage[stage.flow_state == "active"]
    part = active[active.status.isin(guessed)]
    active_days = float(active.total_days.sum())
    share = round(100 * float(part.total_days.sum()) / active_days, DECIMALS) if active_days > 0 else None
    return share, sorted(set(part.loc[part.total_days > 0, "status"]))


def portfolio_map(inputs: ReviewInputs) -> StageMap:
    """Rows: streams grouped by segment; columns: every configured stage in order ('(no stage)' last when
    statuses fell there); cell: p85 days in the stage of the half's finished items against its policy."""
    stage = inputs.stage_time
    p85 = inputs.stage_p85 if inputs.stage_p85 is not None else pd.DataFrame()
    facts = inputs.stage_facts if inputs.stage_facts is not None else pd.DataFrame()
    present = set(stage.stage.fillna("(no stage)")) if len(stage) else set()
    stages = [s for s in inputs.stage_order if s != "(no stage)" or s in present]
    records = [_clean(row) for row in inputs.streams.to_dict("records")]
    # segments in the order their first stream comes; unassigned work last
    segment_of = {
        r["value_stream_id"]: r.get("customer_segment") or ("(no stream)" if r.get("is_unassigned") else "-")
        for r in records
    }
    first_seen: dict[str, int] = {}
    for index, r in enumerate(records):
        first_seen.setdefault(segment_of[r["value_stream_id"]], index)
    records.sort(
        key=lambda r: (bool(r.get("is_unassigned")), first_seen[segment_of[r["value_stream_id"]]], r.get("name") or "")
    )
    shape = (len(records), len(stages))
    p85_days, policy_days, mean_days = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    items_passed = np.zeros(shape, dtype=int)
    items_finished_in = np.zeros(shape, dtype=int)
    configured = np.zeros(shape, dtype=bool)
    rows, ids = [], []
    for i, info in enumerate(records):
        stream = info["value_stream_id"]
        ids.append(stream)
        rows.append(f"{_wrapped(info.get('name') or stream)}\n{_wrapped(segment_of[stream])}")
        part = stage[stage.value_stream_id == stream] if len(stage) else stage
        finished = float(part.items_finished.max()) if len(part) else 0.0
        by_stage = part.assign(stage=part.stage.fillna("(no stage)")).groupby("stage").total_days.sum()
        own = facts[facts.value_stream_id == stream] if len(facts) else facts
        policy = {row.stage: _num(row.policy_sla_days) for row in own.itertuples()} if len(own) else {}
        cells = p85[p85.value_stream_id == stream] if len(p85) else p85
        cell = {
            row.stage: (int(row.items_passed), _num(row.p85_days), int(row.items_finished_in_stage))
            for row in cells.itertuples()
        }
        for j, name in enumerate(stages):
            # '(no stage)' is no stream's stage, but the time statuses without a stage took is drawn all the same
            configured[i, j] = name in policy or name == "(no stage)"
            if policy.get(name) is not None:
                policy_days[i, j] = policy[name]
            if name in cell:
                items_passed[i, j], value, items_finished_in[i, j] = cell[name]
                p85_days[i, j] = np.nan if value is None else value
            if finished:
                mean_days[i, j] = by_stage.get(name, np.nan) / finished
    return StageMap(rows, ids, stages, p85_days, policy_days, items_passed, items_finished_in, configured, mean_days)


def build_review(inputs: ReviewInputs, trials: int = mc.DEFAULT_TRIALS) -> Review:
    half = inputs.half
    label = half.label
    stream_rows = [_clean(row) for row in inputs.streams.to_dict("records")]
    reviews = [_stream_review(inputs, PORTFOLIO, {"name": "Portfolio"}, label, trials)]
    for info in stream_rows:
        reviews.append(_stream_review(inputs, info["value_stream_id"], info, label, trials))
    revenue = revenue_view(reviews)  # before the snapshot: it adds each stream's revenue share
    splits = split_candidates(inputs)
    merges = merge_candidates(inputs.streams)
    fed = feed(inputs)
    stage_map = portfolio_map(inputs)

    snapshot: list[tuple[str, str, str, float | None]] = []
    for review in reviews:
        for metric in sorted(review.metrics):
            snapshot.append((label, review.stream_id, metric, _num(review.metrics[metric])))
    for row in fed.itertuples():
        snapshot.append((label, row.value_stream_id, "items_created", float(row.items_created)))
        snapshot.append(
            (label, row.value_stream_id, "unassigned_or_unmapped_pct", _num(row.unassigned_or_unmapped_pct))
        )
    split_counts: dict[str, int] = {}
    for candidate in splits:
        split_counts[candidate["stream"]] = split_counts.get(candidate["stream"], 0) + 1
    for info in stream_rows:
        stream = info["value_stream_id"]
        snapshot.append((label, stream, "split_candidate_segments", float(split_counts.get(stream, 0))))
        merged = sum(1 for m in merges if stream in m["streams"])
        snapshot.append((label, stream, "merge_candidate_streams", float(merged)))
    for i, stream in enumerate(stage_map.stream_ids):
        for j, stage_name in enumerate(stage_map.stages):
            snapshot.append((label, stream, f"stage_days_{stage_name}", _num(stage_map.mean_days[i, j])))
            snapshot.append((label, stream, f"stage_p85_days_{stage_name}", _num(stage_map.p85_days[i, j])))
    snapshot.sort(key=lambda r: (r[1] != PORTFOLIO, r[1], r[2]))

    return Review(
        half_label=label,
        previous_label=half.previous().label,
        half_start=half.start,
        as_of=half.as_of,
        streams=reviews,
        stage_order=stage_map.stages,
        status_order=inputs.status_order,
        stage_map=stage_map,
        split_candidates=splits,
        merge_candidates=merges,
        feed=fed,
        snapshot=snapshot,
        settings={
            "history_weeks": inputs.history_weeks,
            "trials": trials,
            "forecast_start": half.end,
            "next_items": NEXT_ITEMS,
            "next_quarter_end": (pd.Timestamp(half.end) + pd.DateOffset(months=3)).date() - pd.Timedelta(days=1),
        },
        stage_facts=stage_facts(inputs),
        revenue_view=revenue,
        currency=currency(inputs.outcomes),
    )


def currency(outcomes: pd.DataFrame) -> str:
    """The unit revenue and cost are reported in (e.g. EUR); several are listed; 'amount' when none is given."""
    if outcomes is None or not len(outcomes):
        return "amount"
    units = set(outcomes.revenue_unit.dropna()) | set(outcomes.cost_unit.dropna())
    return " / ".join(sorted(units)) or "amount"


def stage_facts(inputs: ReviewInputs) -> list[tuple[str, list[dict]]]:
    """The configured stages with the facts the Flow Framework map asks for: the every-stream stages once,
    then each stream with stages of its own."""
    facts = inputs.stage_facts
    if facts is None or not len(facts):
        return []
    names = {row["value_stream_id"]: row.get("name") for row in inputs.streams.to_dict("records")}
    groups: list[tuple[str, list[dict]]] = []
    shared = facts[~facts.is_stream_specific.astype(bool)]
    if len(shared):
        first = shared.value_stream_id.iloc[0]
        rows = shared[shared.value_stream_id == first].sort_values("stage_order")
        groups.append(("Every stream without stages of its own", [_clean(r) for r in rows.to_dict("records")]))
    own = facts[facts.is_stream_specific.astype(bool)]
    for stream, rows in own.groupby("value_stream_id", sort=True):
        groups.append(
            (names.get(stream) or stream, [_clean(r) for r in rows.sort_values("stage_order").to_dict("records")])
        )
    return groups
