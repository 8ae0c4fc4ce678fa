{#-
    One row per work item (created on or before as_of): its lifecycle as of var('as_of').
      started_at          first entry into active or waiting; null when the start is unknown;
      is_start_unknown    the item was already active or waiting in its first known status, and the
                          tracker's history does not reach back to when it got there (is_entry_observed
                          false): it counts in flow load but gets no start, flow time, efficiency or age
                          until a start is known - never one invented at its creation;
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

status_intervals as (select * from {{ ref('int_status_intervals') }}),

calendar_days as (select * from {{ ref('int_calendar_days') }}),

interval_clock as (
    select
        status_intervals.*,
        coalesce(status_intervals.exited_at, {{ flowmart.as_of_timestamp() }}) as ended_at
    from status_intervals
),

lifecycles as (
    select
        interval_clock.work_item_id,
        max(case when interval_clock.is_current then interval_clock.status end) as current_status,
        max(case when interval_clock.is_current then interval_clock.status_id end) as current_status_id,
        max(case when interval_clock.is_current then interval_clock.flow_state end) as current_flow_state,
        max(case when interval_clock.is_current then interval_clock.stage end) as current_stage,
        max(case when interval_clock.is_current then interval_clock.entered_at end) as current_status_entered_at,
        min(case when interval_clock.flow_state in ('active', 'waiting') then interval_clock.entered_at end) as started_at,
        max(
            case
                when interval_clock.flow_state = 'done' and coalesce(interval_clock.previous_flow_state, 'none') <> 'done' then interval_clock.entered_at
            end
        ) as last_done_entered_at,
        max(
            case
                when interval_clock.flow_state = 'canceled' and coalesce(interval_clock.previous_flow_state, 'none') <> 'canceled' then interval_clock.entered_at
            end
        ) as last_canceled_entered_at,
        sum(
            case
                when interval_clock.previous_flow_state in ('done', 'canceled') and interval_clock.flow_state in ('new', 'active', 'waiting') then 1
                else 0
            end
        ) as reopen_count,
        sum(
            case when interval_clock.flow_state = 'active' then {{ dbt.datediff('interval_clock.entered_at', 'interval_clock.ended_at', 'second') }} else 0 end
        ) as active_seconds_total,
        sum(
            case
                when interval_clock.flow_state = 'active'
                    then
                        (exit_day.business_days_before + case when exit_day.is_business_day then {{ flowmart.fraction_of_day('interval_clock.ended_at') }} else 0 end)
                        - (entry_day.business_days_before + case when entry_day.is_business_day then {{ flowmart.fraction_of_day('interval_clock.entered_at') }} else 0 end)
            end
        ) as active_business_days_total,
        count(*) as interval_count,
        max(case when interval_clock.is_status_mapped then 0 else 1 end) = 1 as has_unmapped_status,
        max(case when interval_clock.flow_state = 'unknown' then 1 else 0 end) = 1 as has_unknown_status,
        max(
            case
                when interval_clock.interval_index = 0
                    and not interval_clock.is_entry_observed
                    and interval_clock.flow_state in ('active', 'waiting')
                    then 1
                else 0
            end
        ) = 1 as is_start_unknown
    from interval_clock
    -- the business-day clock at both ends of every interval: date lookups in a small table, so one
    -- aggregation over the intervals serves every sum above (no second pass over the active ones)
    left join calendar_days as entry_day
        on cast(interval_clock.entered_at as date) = entry_day.date_day
    left join calendar_days as exit_day
        on cast(interval_clock.ended_at as date) = exit_day.date_day
    group by interval_clock.work_item_id
),

final as (
    select
        lifecycles.work_item_id,
        lifecycles.current_status,
        lifecycles.current_status_id,
        lifecycles.current_flow_state,
        lifecycles.current_stage,
        lifecycles.current_status_entered_at,
        case when not lifecycles.is_start_unknown then lifecycles.started_at end as started_at,
        case when lifecycles.current_flow_state = 'done' then lifecycles.last_done_entered_at end as finished_at,
        case when lifecycles.current_flow_state = 'canceled' then lifecycles.last_canceled_entered_at end as canceled_at,
        cast(lifecycles.reopen_count as integer) as reopen_count,
        case
            when lifecycles.started_at is not null and lifecycles.current_flow_state <> 'canceled'
                and not lifecycles.is_start_unknown
                then cast(lifecycles.active_seconds_total as {{ dbt.type_bigint() }})
        end as active_seconds,
        case
            when lifecycles.started_at is not null and lifecycles.current_flow_state <> 'canceled'
                and not lifecycles.is_start_unknown
                then coalesce(lifecycles.active_business_days_total, 0)
        end as active_business_days,
        cast(lifecycles.interval_count as integer) as interval_count,
        lifecycles.has_unmapped_status,
        lifecycles.has_unknown_status,
        lifecycles.is_start_unknown
    from lifecycles
)

select * from final
