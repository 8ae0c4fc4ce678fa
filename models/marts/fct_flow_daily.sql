{#-
    One row per value stream x day x flow item type, every day from the first item's creation to as_of.
    Built from interval boundaries, never from an items x days expansion: an interval in an active or
    waiting state adds +1 to the day it is entered and -1 to the day it is exited, and the running sum of
    those changes is the number of items in that state at the end of each day (UTC). An interval that is
    entered and exited on the same day nets to zero; the state at the end of the day is what counts.
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

wip_intervals as (
    select
        value_stream_id,
        flow_item_type,
        flow_state,
        cast(entered_at as date) as entered_date,
        cast(exited_at as date) as exited_date
    from status_intervals
    where flow_state in ('active', 'waiting')
        and (exited_at is null or cast(exited_at as date) > cast(entered_at as date))
),

state_changes as (
    select
        value_stream_id,
        flow_item_type,
        flow_state,
        entered_date as date_day,
        1 as load_change
    from wip_intervals
    union all
    select
        value_stream_id,
        flow_item_type,
        flow_state,
        exited_date as date_day,
        -1 as load_change
    from wip_intervals
    where exited_date is not null
),

daily_load_changes as (
    select
        value_stream_id,
        flow_item_type,
        date_day,
        sum(case when flow_state = 'active' then load_change else 0 end) as active_change,
        sum(case when flow_state = 'waiting' then load_change else 0 end) as waiting_change
    from state_changes
    group by value_stream_id, flow_item_type, date_day
),

item_events as (
    select
        value_stream_id,
        flow_item_type,
        created_date as date_day,
        'created' as event_name
    from work_items
    union all
    select
        value_stream_id,
        flow_item_type,
        started_date as date_day,
        'started' as event_name
    from work_items
    where started_date is not null
    union all
    select
        value_stream_id,
        flow_item_type,
        finished_date as date_day,
        'finished' as event_name
    from work_items
    where finished_date is not null
    union all
    select
        value_stream_id,
        flow_item_type,
        canceled_date as date_day,
        'canceled' as event_name
    from work_items
    where canceled_date is not null
),

daily_events as (
    select
        value_stream_id,
        flow_item_type,
        date_day,
        sum(case when event_name = 'created' then 1 else 0 end) as created,
        sum(case when event_name = 'started' then 1 else 0 end) as arrivals,
        sum(case when event_name = 'finished' then 1 else 0 end) as departures,
        sum(case when event_name = 'canceled' then 1 else 0 end) as canceled
    from item_events
    group by value_stream_id, flow_item_type, date_day
),

stream_types as (
    select distinct
        value_stream_id,
        flow_item_type
    from work_items
),

spine as (
    select
        stream_types.value_stream_id,
        stream_types.flow_item_type,
        calendar_days.date_day,
        calendar_days.is_business_day
    from stream_types
    cross join calendar_days
),

final as (
    select
        spine.value_stream_id,
        spine.date_day,
        spine.flow_item_type,
        cast(
            sum(coalesce(daily_load_changes.active_change, 0) + coalesce(daily_load_changes.waiting_change, 0)) over (
                partition by spine.value_stream_id, spine.flow_item_type
                order by spine.date_day
                rows between unbounded preceding and current row
            ) as integer
        ) as flow_load,
        cast(
            sum(coalesce(daily_load_changes.active_change, 0)) over (
                partition by spine.value_stream_id, spine.flow_item_type
                order by spine.date_day
                rows between unbounded preceding and current row
            ) as integer
        ) as active_count,
        cast(
            sum(coalesce(daily_load_changes.waiting_change, 0)) over (
                partition by spine.value_stream_id, spine.flow_item_type
                order by spine.date_day
                rows between unbounded preceding and current row
            ) as integer
        ) as waiting_count,
        cast(coalesce(daily_events.arrivals, 0) as integer) as arrivals,
        cast(coalesce(daily_events.departures, 0) as integer) as departures,
        cast(coalesce(daily_events.canceled, 0) as integer) as canceled,
        cast(coalesce(daily_events.created, 0) as integer) as created,
        spine.is_business_day
    from spine
    left join daily_load_changes
        on spine.value_stream_id = daily_load_changes.value_stream_id
        and spine.flow_item_type = daily_load_changes.flow_item_type
        and spine.date_day = daily_load_changes.date_day
    left join daily_events
        on spine.value_stream_id = daily_events.value_stream_id
        and spine.flow_item_type = daily_events.flow_item_type
        and spine.date_day = daily_events.date_day
)

select * from final
