{#-
    One row per work item (created on or before as_of): its lifecycle as of var('as_of').
      started_at          first entry into active or waiting;
      finished_at         last entry into done (from a state other than done), only if done is the
                          state at as_of;
      canceled_at         likewise for canceled;
      reopen_count        transitions out of done or canceled into new, active or waiting;
      active_seconds      time in active states within [started_at, finished_at) - or up to as_of while
                          the item is not finished; the rest of that window is waiting time;
      *_business_seconds  the same counting only business days (see int_calendar_days).
    Canceled items get no active/waiting time: they count in no velocity or flow time.
-#}
with

status_intervals as (select * from {{ ref('fct_status_intervals') }}),

calendar_days as (select * from {{ ref('int_calendar_days') }}),

interval_clock as (
    select
        status_intervals.*,
        coalesce(status_intervals.exited_at, {{ flowmart.as_of_timestamp() }}) as ended_at
    from status_intervals
),

active_business_time as (
    select
        interval_clock.work_item_id,
        sum(
            (exit_day.business_days_before + case when exit_day.is_business_day then {{ flowmart.fraction_of_day('interval_clock.ended_at') }} else 0 end)
            - (entry_day.business_days_before + case when entry_day.is_business_day then {{ flowmart.fraction_of_day('interval_clock.entered_at') }} else 0 end)
        ) as active_business_days
    from interval_clock
    inner join calendar_days as entry_day
        on cast(interval_clock.entered_at as date) = entry_day.date_day
    inner join calendar_days as exit_day
        on cast(interval_clock.ended_at as date) = exit_day.date_day
    where interval_clock.flow_state = 'active'
    group by interval_clock.work_item_id
),

lifecycles as (
    select
        work_item_id,
        max(case when is_current then status end) as current_status,
        max(case when is_current then flow_state end) as current_flow_state,
        max(case when is_current then stage end) as current_stage,
        max(case when is_current then entered_at end) as current_status_entered_at,
        min(case when flow_state in ('active', 'waiting') then entered_at end) as started_at,
        max(
            case
                when flow_state = 'done' and coalesce(previous_flow_state, 'none') <> 'done' then entered_at
            end
        ) as last_done_entered_at,
        max(
            case
                when flow_state = 'canceled' and coalesce(previous_flow_state, 'none') <> 'canceled' then entered_at
            end
        ) as last_canceled_entered_at,
        sum(
            case
                when previous_flow_state in ('done', 'canceled') and flow_state in ('new', 'active', 'waiting') then 1
                else 0
            end
        ) as reopen_count,
        sum(
            case when flow_state = 'active' then {{ dbt.datediff('entered_at', 'ended_at', 'second') }} else 0 end
        ) as active_seconds_total,
        count(*) as interval_count,
        max(case when is_status_mapped then 0 else 1 end) = 1 as has_unmapped_status
    from interval_clock
    group by work_item_id
),

final as (
    select
        lifecycles.work_item_id,
        lifecycles.current_status,
        lifecycles.current_flow_state,
        lifecycles.current_stage,
        lifecycles.current_status_entered_at,
        lifecycles.started_at,
        case when lifecycles.current_flow_state = 'done' then lifecycles.last_done_entered_at end as finished_at,
        case when lifecycles.current_flow_state = 'canceled' then lifecycles.last_canceled_entered_at end as canceled_at,
        cast(lifecycles.reopen_count as integer) as reopen_count,
        case
            when lifecycles.started_at is not null and lifecycles.current_flow_state <> 'canceled'
                then cast(lifecycles.active_seconds_total as {{ dbt.type_bigint() }})
        end as active_seconds,
        case
            when lifecycles.started_at is not null and lifecycles.current_flow_state <> 'canceled'
                then coalesce(active_business_time.active_business_days, 0)
        end as active_business_days,
        cast(lifecycles.interval_count as integer) as interval_count,
        lifecycles.has_unmapped_status
    from lifecycles
    left join active_business_time
        on lifecycles.work_item_id = active_business_time.work_item_id
)

select * from final
