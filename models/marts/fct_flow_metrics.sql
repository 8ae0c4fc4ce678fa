{#-
    One row per value stream (plus 'all') x period grain x period start x flow item type (plus 'all').
    Velocity, flow time and efficiency come from the items finished in the period; load from the daily
    end-of-day load in fct_flow_daily; canceled items count only in items_canceled.
    Every period from the first item's creation to as_of is present, with zeros when nothing happened.
-#}
-- The linter's duckdb dialect does not parse `group by grouping sets`, and Jinja loops lay out columns:
-- sqlfluff:ignore:parsing
-- sqlfluff:exclude_rules:LT02,LT05,LT09,ST06,AM04,RF04,ST05
with

-- items whose type the seed excludes (epics, sub-tasks, ...) are in no flow metric (fct_data_quality counts them)
work_items as (
    select *
    from {{ ref('fct_work_items') }}
    where is_flow_item
),

flow_daily as (select * from {{ ref('fct_flow_daily') }}),

calendar_days as (select * from {{ ref('int_calendar_days') }}),

flow_distribution_targets as (select * from {{ ref('flow_distribution_targets') }}),

periods as (
    {% for grain in flowmart.period_grains() -%}
    select
        '{{ grain }}' as period_grain,
        {{ grain }}_start as period_start,
        max(date_day) as last_observed_day,
        count(*) as days_observed
    from calendar_days
    group by {{ grain }}_start
    {{ 'union all' if not loop.last }}
    {% endfor %}
),

-- one row per finished or canceled item per period grain, in the period of its finish / cancel
item_periods as (
    {% for grain in flowmart.period_grains() -%}
    select
        '{{ grain }}' as period_grain,
        calendar_days.{{ grain }}_start as period_start,
        work_items.value_stream_id,
        work_items.flow_item_type,
        work_items.finished_at is not null as is_finished,
        work_items.canceled_at is not null as is_canceled,
        work_items.flow_time_days,
        work_items.flow_time_business_days,
        work_items.active_days
    from work_items
    inner join calendar_days
        on coalesce(work_items.finished_date, work_items.canceled_date) = calendar_days.date_day
    where work_items.finished_at is not null or work_items.canceled_at is not null
    {{ 'union all' if not loop.last }}
    {% endfor %}
),

flow_aggregates as (
    select
        period_grain,
        period_start,
        coalesce(value_stream_id, 'all') as value_stream_id,
        coalesce(flow_item_type, 'all') as flow_item_type,
        sum(case when is_finished then 1 else 0 end) as flow_velocity,
        sum(case when is_finished and flow_time_days is not null then 1 else 0 end) as flow_time_item_count,
        {{ flowmart.percentile_cont('case when is_finished then flow_time_days end', 0.5) }} as flow_time_p50_days,
        {{ flowmart.percentile_cont('case when is_finished then flow_time_days end', 0.85) }} as flow_time_p85_days,
        {{ flowmart.percentile_cont('case when is_finished then flow_time_days end', 0.95) }} as flow_time_p95_days,
        avg(case when is_finished then flow_time_days end) as flow_time_mean_days,
        avg(case when is_finished then flow_time_business_days end) as flow_time_business_mean_days,
        sum(case when is_finished and flow_time_days > 0 then active_days end)
            / nullif(sum(case when is_finished and flow_time_days > 0 then flow_time_days end), 0) as flow_efficiency,
        sum(case when is_canceled then 1 else 0 end) as items_canceled
    from item_periods
    group by grouping sets (
        (period_grain, period_start, value_stream_id, flow_item_type),
        (period_grain, period_start, value_stream_id),
        (period_grain, period_start, flow_item_type),
        (period_grain, period_start)
    )
),

daily_periods as (
    {% for grain in flowmart.period_grains() -%}
    select
        '{{ grain }}' as period_grain,
        calendar_days.{{ grain }}_start as period_start,
        flow_daily.value_stream_id,
        flow_daily.flow_item_type,
        flow_daily.date_day,
        flow_daily.flow_load,
        flow_daily.arrivals
    from flow_daily
    inner join calendar_days
        on flow_daily.date_day = calendar_days.date_day
    {{ 'union all' if not loop.last }}
    {% endfor %}
),

daily_periods_flagged as (
    select
        daily_periods.*,
        periods.days_observed,
        daily_periods.date_day = periods.last_observed_day as is_period_end
    from daily_periods
    inner join periods
        on daily_periods.period_grain = periods.period_grain
        and daily_periods.period_start = periods.period_start
),

load_aggregates as (
    select
        period_grain,
        period_start,
        coalesce(value_stream_id, 'all') as value_stream_id,
        coalesce(flow_item_type, 'all') as flow_item_type,
        cast(sum(flow_load) as {{ flowmart.type_double() }}) / max(days_observed) as flow_load_avg,
        sum(case when is_period_end then flow_load else 0 end) as flow_load_end,
        sum(arrivals) as items_started
    from daily_periods_flagged
    group by grouping sets (
        (period_grain, period_start, value_stream_id, flow_item_type),
        (period_grain, period_start, value_stream_id),
        (period_grain, period_start, flow_item_type),
        (period_grain, period_start)
    )
),

stream_types as (
    select
        coalesce(value_stream_id, 'all') as value_stream_id,
        coalesce(flow_item_type, 'all') as flow_item_type
    from (select distinct value_stream_id, flow_item_type from work_items) as combinations
    group by grouping sets ((value_stream_id, flow_item_type), (value_stream_id), (flow_item_type), ())
),

spine as (
    select
        stream_types.value_stream_id,
        periods.period_grain,
        periods.period_start,
        stream_types.flow_item_type,
        periods.days_observed
    from stream_types
    cross join periods
),

joined as (
    select
        spine.value_stream_id,
        spine.period_grain,
        spine.period_start,
        spine.flow_item_type,
        spine.days_observed,
        cast(coalesce(flow_aggregates.flow_velocity, 0) as integer) as flow_velocity,
        cast(coalesce(flow_aggregates.flow_time_item_count, 0) as integer) as flow_time_item_count,
        flow_aggregates.flow_time_p50_days,
        flow_aggregates.flow_time_p85_days,
        flow_aggregates.flow_time_p95_days,
        flow_aggregates.flow_time_mean_days,
        flow_aggregates.flow_time_business_mean_days,
        flow_aggregates.flow_efficiency,
        coalesce(load_aggregates.flow_load_avg, 0) as flow_load_avg,
        cast(coalesce(load_aggregates.flow_load_end, 0) as integer) as flow_load_end,
        cast(coalesce(load_aggregates.items_started, 0) as integer) as items_started,
        cast(coalesce(flow_aggregates.items_canceled, 0) as integer) as items_canceled
    from spine
    left join flow_aggregates
        on spine.value_stream_id = flow_aggregates.value_stream_id
        and spine.period_grain = flow_aggregates.period_grain
        and spine.period_start = flow_aggregates.period_start
        and spine.flow_item_type = flow_aggregates.flow_item_type
    left join load_aggregates
        on spine.value_stream_id = load_aggregates.value_stream_id
        and spine.period_grain = load_aggregates.period_grain
        and spine.period_start = load_aggregates.period_start
        and spine.flow_item_type = load_aggregates.flow_item_type
),

with_distribution as (
    select
        joined.*,
        sum(case when joined.flow_item_type <> 'all' then joined.flow_velocity end) over (
            partition by joined.value_stream_id, joined.period_grain, joined.period_start
        ) as stream_velocity,
        sum(case when joined.flow_item_type <> 'all' then joined.flow_load_end end) over (
            partition by joined.value_stream_id, joined.period_grain, joined.period_start
        ) as stream_load_end
    from joined
),

final as (
    select
        with_distribution.value_stream_id,
        with_distribution.period_grain,
        with_distribution.period_start,
        {%- for grain in flowmart.period_grains() %}
        {{ 'case' if loop.first }} when with_distribution.period_grain = '{{ grain }}' then {{ flowmart.period_end(grain, 'with_distribution.period_start') }}
        {%- endfor %} end as period_end,
        with_distribution.flow_item_type,
        with_distribution.flow_velocity,
        with_distribution.flow_time_p50_days,
        with_distribution.flow_time_p85_days,
        with_distribution.flow_time_p95_days,
        with_distribution.flow_time_mean_days,
        with_distribution.flow_efficiency,
        with_distribution.flow_load_avg,
        with_distribution.flow_load_end,
        case
            when with_distribution.stream_velocity > 0
                then 100.0 * with_distribution.flow_velocity / with_distribution.stream_velocity
        end as flow_distribution_pct,
        case
            when with_distribution.stream_load_end > 0
                then 100.0 * with_distribution.flow_load_end / with_distribution.stream_load_end
        end as flow_load_distribution_pct,
        flow_distribution_targets.target_pct as flow_distribution_target_pct,
        with_distribution.items_canceled,
        with_distribution.items_started,
        with_distribution.flow_time_item_count,
        with_distribution.flow_time_business_mean_days,
        with_distribution.days_observed,
        -- Little's law: average load ~ (departures per day) x (mean flow time) when the system is stable
        cast(with_distribution.flow_velocity as {{ flowmart.type_double() }}) / with_distribution.days_observed
            * with_distribution.flow_time_mean_days as littles_law_load
    from with_distribution
    left join flow_distribution_targets
        on with_distribution.value_stream_id = flow_distribution_targets.value_stream_id
        and with_distribution.flow_item_type = flow_distribution_targets.flow_item_type
)

select * from final
