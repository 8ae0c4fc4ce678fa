"""Reading what the review needs from the marts of a warehouse built as_of the end of the half-year.

One function, ``load(con, half)``, runs a handful of SQL queries against the marts (their contract:
models/marts/_marts__models.yml) and returns plain pandas frames. Everything the report shows is
computed from these frames by pure functions (``flowmart.report.review``), so tests can build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from flowmart.report.periods import Half

PORTFOLIO = "all"  # the all-streams rows of fct_flow_metrics
FLOW_ITEM_TYPES = ("feature", "defect", "risk", "debt")


@dataclass
class ReviewInputs:
    """The marts' rows for one review (all as_of the end of ``half``)."""

    half: Half
    streams: pd.DataFrame  # dim_value_streams
    half_metrics: pd.DataFrame  # fct_flow_metrics, half_year rows of this half and the previous one
    month_metrics: pd.DataFrame  # fct_flow_metrics, month rows of the previous and this half
    week_metrics: pd.DataFrame  # fct_flow_metrics, week rows of full weeks inside the half
    # fct_work_items finished in the half or WIP at its end, the columns the charts show (their own data: the
    # flow time scatter, the aging WIP); what the review counts of the other items comes aggregated (created)
    items: pd.DataFrame
    daily: pd.DataFrame  # fct_flow_daily summed over item types: stream x day, from history_start to the half's end
    stage_time: pd.DataFrame  # fct_stage_time, half_year rows of the half
    data_quality: pd.DataFrame  # fct_data_quality
    targets: pd.DataFrame  # mappings.flow_distribution_targets: value_stream_id, flow_item_type, target_pct
    stage_order: list[str] = field(default_factory=list)  # stages left to right (trigger -> value realized)
    status_order: list[str] = field(default_factory=list)
    history_weeks: int = 12
    # marts.dim_value_stream_stages: the configured stages and their facts (intent, proof point, policy, metric)
    stage_facts: pd.DataFrame = field(default_factory=pd.DataFrame)
    # marts.fct_stream_outcomes: month rows of the 12 months to the half's end, half_year rows of this and the
    # previous half (business results beside flow)
    outcomes: pd.DataFrame = field(default_factory=pd.DataFrame)
    # marts.fct_flow_signals: the XmR chart rows from the baseline's first week to the half's end
    signals: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the cumulative flow diagram: stream x day of the half x band (configured stage of the open items, done or
    # canceled since the half began) -> items at the end of the day, and arrivals (items created) by then
    cfd: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the map's cells: stream x stage -> items finished in the half that spent time in the stage before they
    # finished, the 85th percentile of their days in it, and how many finished in one of its done statuses
    stage_p85: pd.DataFrame = field(default_factory=pd.DataFrame)
    # value_stream_id, status: the statuses counted active only because the tracker's status category says
    # so (no status_mappings row covers them; docs/adr/0061): flow efficiency counts them, the review says so
    guessed_active: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the flow items created in the half per stream: items_created, unmapped_type_items (of unmapped type),
    # unassigned_or_unmapped_items (in the unassigned pool or of unmapped type)
    created: pd.DataFrame = field(default_factory=pd.DataFrame)


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def load(con: duckdb.DuckDBPyConnection, half: Half, history_weeks: int = 12) -> ReviewInputs:
    """Read the marts for review ``half``; ``con`` is a warehouse built with as_of = ``half.as_of``."""
    start, end, previous = half.start, half.end, half.previous().start
    streams = _df(
        con,
        """
        select *
        from marts.dim_value_streams
        order by is_unassigned, case stream_kind when 'top_level' then 0 else 1 end, customer_segment, name
    """,
    )
    half_metrics = _df(
        con,
        """
        select *
        from marts.fct_flow_metrics
        where period_grain = 'half_year' and period_start in (?, ?)
        order by value_stream_id, flow_item_type, period_start
    """,
        [start, previous],
    )
    month_metrics = _df(
        con,
        """
        select *
        from marts.fct_flow_metrics
        where period_grain = 'month' and period_start >= ? and period_start < ?
        order by value_stream_id, flow_item_type, period_start
    """,
        [previous, end],
    )
    week_metrics = _df(
        con,
        """
        select *
        from marts.fct_flow_metrics
        where period_grain = 'week' and period_start >= ? and period_start + interval 6 day < ?
        order by value_stream_id, flow_item_type, period_start
    """,
        [start, end],
    )
    items = _df(
        con,
        """
        select
            work_item_id, instance, item_key, title, project_key, value_stream_id, flow_item_type,
            current_status, current_flow_state, current_stage, started_at, finished_at, flow_time_days,
            age_days, is_wip
        from marts.fct_work_items
        -- flow items only: the types the seed excludes (epics, sub-tasks) are in no flow figure
        where is_flow_item
            and (is_wip or (finished_at >= ? and finished_at < ?))
        order by work_item_id
    """,
        [start, end],
    )
    created = _df(
        con,
        """
        select
            value_stream_id,
            count(*) as items_created,
            count(*) filter (where flow_item_type = 'unmapped') as unmapped_type_items,
            count(*) filter (
                where flow_item_type = 'unmapped' or value_stream_id = 'unassigned'
            ) as unassigned_or_unmapped_items
        from marts.fct_work_items
        where is_flow_item
            and created_at >= ? and created_at < ?
        group by value_stream_id
        order by value_stream_id
    """,
        [start, end],
    )
    history_start = min(start, pd.Timestamp(end).date() - pd.Timedelta(weeks=history_weeks))
    daily = _df(
        con,
        """
        select
            value_stream_id,
            date_day,
            sum(flow_load) as flow_load,
            sum(active_count) as active_count,
            sum(waiting_count) as waiting_count,
            sum(arrivals) as arrivals,
            sum(departures) as departures,
            sum(canceled) as canceled,
            sum(created) as created
        from marts.fct_flow_daily
        where date_day >= ? and date_day < ?
        group by value_stream_id, date_day
        order by value_stream_id, date_day
    """,
        [history_start, end],
    )
    stage_time = _df(
        con,
        """
        select *
        from marts.fct_stage_time
        where period_grain = 'half_year' and period_start = ?
        order by value_stream_id, stage, status
    """,
        [start],
    )
    stage_p85 = stage_percentiles(con, start, end)
    guessed_active = _df(
        con,
        """
        select distinct value_stream_id, status
        from marts.fct_status_intervals
        where flow_state = 'active' and mapped_by = 'status_category'
        order by all
    """,
    )
    data_quality = _df(
        con,
        """
        select *
        from marts.fct_data_quality
        order by value_stream_id, source, check_name
    """,
    )
    targets = _df(
        con,
        """
        select value_stream_id, flow_item_type, target_pct
        from mappings.flow_distribution_targets
        order by value_stream_id, flow_item_type
    """,
    )
    stage_order, status_order = _timeline_order(con)
    stage_facts = _df(
        con,
        """
        select value_stream_id, stage, stage_order, intent, proof_point, policy_sla_days, primary_metric,
            is_stream_specific
        from marts.dim_value_stream_stages
        order by is_stream_specific, value_stream_id, stage_order, stage
    """,
    )
    outcomes = _df(
        con,
        """
        select *
        from marts.fct_stream_outcomes
        where (period_grain = 'month' and period_start >= ? and period_start < ?)
            or (period_grain = 'half_year' and period_start in (?, ?))
        order by value_stream_id, period_grain, period_start
    """,
        [(pd.Timestamp(end) - pd.DateOffset(months=12)).date(), end, start, previous],
    )
    signals = _df(
        con,
        """
        select *
        from marts.fct_flow_signals
        where week_start >= ? and week_start < ?
        order by value_stream_id, metric, week_start
    """,
        [(pd.Timestamp(start) - pd.Timedelta(weeks=27)).date(), end],
    )
    cfd = _df(
        con,
        """
        -- the flow items the half's CFD follows: open at its start, or created in it
        with followed as (
            select work_item_id, value_stream_id, created_at
            from marts.fct_work_items
            where is_flow_item
                and created_at < ?
                and not coalesce(finished_at < ? and not is_wip, false)
                and not coalesce(canceled_at < ?, false)
        ),
        days as (
            select cast(day as date) as date_day, day + interval 1 day as day_end
            from range(cast(? as timestamp), cast(? as timestamp), interval 1 day) as t(day)
        )
        select
            followed.value_stream_id,
            days.date_day,
            case
                when i.flow_state in ('done', 'canceled') then i.flow_state
                else coalesce(i.stage, '(no stage)')
            end as band,
            count(*) as items
        from followed
        inner join marts.fct_status_intervals as i on followed.work_item_id = i.work_item_id
        inner join days
            on i.entered_at < days.day_end and (i.exited_at is null or i.exited_at >= days.day_end)
        group by all
        order by all
    """,
        [end, start, start, start, end],
    )
    return ReviewInputs(
        cfd=cfd,
        stage_p85=stage_p85,
        guessed_active=guessed_active,
        half=half,
        streams=streams,
        half_metrics=half_metrics,
        month_metrics=month_metrics,
        week_metrics=week_metrics,
        items=items,
        created=created,
        daily=daily,
        stage_time=stage_time,
        data_quality=data_quality,
        targets=targets,
        stage_order=stage_order,
        status_order=status_order,
        history_weeks=history_weeks,
        stage_facts=stage_facts,
        outcomes=outcomes,
        signals=signals,
    )


def _timeline_order(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[str]]:
    """Stages and statuses in the order work passes them (the map's horizontal axis).

    Stages are the configured ones (marts.dim_value_stream_stages, seeds/value_stream_stages.csv) in
    their configured order, every one of them even when no item has been in it; a stage that statuses
    map to but no stream configures follows them, and '(no stage)' (statuses no mapping row gives a
    stage) comes last. Statuses never become stages. Statuses are ordered by their stage, then by the
    mean rank of their first entry within an item's timeline, done and canceled last.
    """
    configured = [
        stage
        for stage, _ in con.execute("""
            select stage, min(stage_order) as stage_order
            from marts.dim_value_stream_stages
            group by stage
            order by stage_order, stage
        """).fetchall()
    ]
    rows = con.execute("""
        with firsts as (
            select work_item_id, stage, status, flow_state, min(interval_index) as first_index
            from marts.fct_status_intervals
            group by work_item_id, stage, status, flow_state
        ),
        ranked as (
            select *, dense_rank() over (partition by work_item_id order by first_index) as position
            from firsts
        )
        select
            coalesce(stage, '(no stage)') as stage,
            status,
            max(case when flow_state in ('done', 'canceled') then 1 else 0 end) as is_end,
            avg(position) as mean_position
        from ranked
        group by coalesce(stage, '(no stage)'), status
    """).fetchall()
    extra = sorted({stage for stage, *_ in rows} - set(configured) - {"(no stage)"})
    stages = configured + extra + (["(no stage)"] if any(stage == "(no stage)" for stage, *_ in rows) else [])
    stage_index = {s: i for i, s in enumerate(stages)}
    statuses = [status for _, status, _, _ in sorted(rows, key=lambda r: (stage_index[r[0]], r[2], r[3], r[1]))]
    seen: list[str] = []
    for status in statuses:
        if status not in seen:
            seen.append(status)
    return stages, seen


def stage_percentiles(con: duckdb.DuckDBPyConnection, start, end) -> pd.DataFrame:
    """The value-stream map's cells: per stream x stage, the flow items finished in [start, end) that spent
    time in the stage before they finished (items_passed), the 85th percentile of their days in it (p85_days),
    and how many finished in one of its done statuses (items_finished_in_stage)."""
    return _df(
        con,
        """
        -- per item finished in the half: the days it spent in each stage before it finished, from the trigger
        -- on (so stages before its start, such as Discover, count too: a stage's policy bounds its whole stay)
        with finished as (
            select work_item_id, value_stream_id, finished_at
            from marts.fct_work_items
            where is_flow_item and finished_at >= ? and finished_at < ?
        ),
        item_stage_days as (
            select
                finished.value_stream_id,
                coalesce(i.stage, '(no stage)') as stage,
                finished.work_item_id,
                -- time in done (a reopened item's) is no time in the stage: done is where an item finishes
                sum(
                    case
                        when i.flow_state not in ('done', 'canceled')
                            then date_diff('second', i.entered_at, least(i.exited_at, finished.finished_at)) / 86400.0
                    end
                ) as days_in_stage,
                bool_or(i.flow_state = 'done') as finished_in_stage
            from finished
            inner join marts.fct_status_intervals as i on finished.work_item_id = i.work_item_id
            where i.entered_at < finished.finished_at
                or (i.entered_at = finished.finished_at and i.flow_state = 'done')
            group by all
        )
        select
            value_stream_id,
            stage,
            count(days_in_stage) as items_passed,
            quantile_cont(days_in_stage, 0.85) as p85_days,
            count(*) filter (where finished_in_stage) as items_finished_in_stage
        from item_stage_days
        group by all
        order by all
    """,
        [start, end],
    )
