{#-
    One row per value stream x period grain x period start x stage x status (x flow state): where the
    items finished in the period spent their flow time. Only time inside each item's flow-time window
    [started_at, finished_at) counts, so the shares add up to 100% per stream and period.
-#}
with

status_intervals as (
    select *
    from {{ ref('int_status_intervals') }}
    where flow_item_type <> 'excluded'
),

-- items whose type the seed excludes (epics, sub-tasks, ...) are in no flow metric (fct_data_quality counts them)
work_items as (
    select *
    from {{ ref('fct_work_items') }}
    where is_flow_item
),

calendar_days as (select * from {{ ref('int_calendar_days') }}),

finished_items as (
    select
        work_item_id,
        value_stream_id,
        started_at,
        finished_at,
        finished_date,
        flow_time_days
    from work_items
    where flow_time_days is not null
),

item_status_time as (
    select
        finished_items.work_item_id,
        finished_items.value_stream_id,
        finished_items.finished_date,
        coalesce(status_intervals.stage, '(no stage)') as stage,
        status_intervals.stage_order,
        status_intervals.status,
        status_intervals.flow_state,
        sum({{ flowmart.days_between('status_intervals.entered_at', 'status_intervals.exited_at') }}) as days_in_status
    from status_intervals
    inner join finished_items
        on status_intervals.work_item_id = finished_items.work_item_id
    where status_intervals.entered_at >= finished_items.started_at
        and status_intervals.entered_at < finished_items.finished_at
    group by
        finished_items.work_item_id,
        finished_items.value_stream_id,
        finished_items.finished_date,
        coalesce(status_intervals.stage, '(no stage)'),
        status_intervals.stage_order,
        status_intervals.status,
        status_intervals.flow_state
),

item_status_periods as (
    {% for grain in flowmart.period_grains() -%}
    select
        '{{ grain }}' as period_grain,
        calendar_days.{{ grain }}_start as period_start,
        item_status_time.*
    from item_status_time
    inner join calendar_days
        on item_status_time.finished_date = calendar_days.date_day
    {{ 'union all' if not loop.last }}
    {% endfor %}
),

stage_aggregates as (
    select
        value_stream_id,
        period_grain,
        period_start,
        stage,
        stage_order,
        status,
        flow_state,
        count(*) as items_passed,
        sum(days_in_status) as total_days,
        {{ flowmart.percentile_cont('days_in_status', 0.5) }} as median_days
    from item_status_periods
    group by value_stream_id, period_grain, period_start, stage, stage_order, status, flow_state
),

period_flow_time as (
    {% for grain in flowmart.period_grains() -%}
    select
        '{{ grain }}' as period_grain,
        calendar_days.{{ grain }}_start as period_start,
        finished_items.value_stream_id,
        count(*) as items_finished,
        sum(finished_items.flow_time_days) as total_flow_time_days
    from finished_items
    inner join calendar_days
        on finished_items.finished_date = calendar_days.date_day
    group by calendar_days.{{ grain }}_start, finished_items.value_stream_id
    {{ 'union all' if not loop.last }}
    {% endfor %}
),

final as (
    select
        stage_aggregates.value_stream_id,
        stage_aggregates.period_grain,
        stage_aggregates.period_start,
        stage_aggregates.stage,
        stage_aggregates.stage_order,
        stage_aggregates.status,
        stage_aggregates.flow_state,
        cast(stage_aggregates.items_passed as integer) as items_passed,
        stage_aggregates.total_days,
        stage_aggregates.median_days,
        case
            when period_flow_time.total_flow_time_days > 0
                then stage_aggregates.total_days / period_flow_time.total_flow_time_days
        end as share_of_flow_time,
        cast(period_flow_time.items_finished as integer) as items_finished,
        period_flow_time.total_flow_time_days
    from stage_aggregates
    inner join period_flow_time
        on stage_aggregates.value_stream_id = period_flow_time.value_stream_id
        and stage_aggregates.period_grain = period_flow_time.period_grain
        and stage_aggregates.period_start = period_flow_time.period_start
)

select * from final
