{#-
    Question: what is aging? Which work in progress has been going longer than finished work usually takes?

    Every WIP item (active or waiting at as_of) with its age, compared with the flow time of the items its
    stream finished in the last 180 days: past the 85th percentile it is "at risk" (only 15 % of recent
    work took longer), past the median "watch". Also how long it has been in its current status, which
    says whether it is moving at all. Oldest first.
-#}
with

work_items as (select * from {{ ref('fct_work_items') }}),

value_streams as (select * from {{ ref('dim_value_streams') }}),

as_of as (
    select max(as_of) as as_of_at from work_items
),

recent_flow_times as (
    select
        work_items.value_stream_id,
        count(*) as recent_finished,
        {{ flowmart.percentile_cont('work_items.flow_time_days', 0.5) }} as recent_p50_days,
        {{ flowmart.percentile_cont('work_items.flow_time_days', 0.85) }} as recent_p85_days
    from work_items
    cross join as_of
    where
        work_items.flow_time_days is not null
        and work_items.finished_at >= {{ dbt.dateadd('day', -180, 'as_of.as_of_at') }}
    group by work_items.value_stream_id
),

wip as (
    select
        work_items.work_item_id,
        work_items.item_key,
        work_items.title,
        work_items.value_stream_id,
        work_items.flow_item_type,
        work_items.current_status,
        work_items.current_flow_state,
        work_items.started_at,
        work_items.age_days,
        {{ flowmart.days_between('work_items.current_status_entered_at', 'as_of.as_of_at') }}
            as days_in_current_status
    from work_items
    cross join as_of
    where work_items.is_wip
),

final as (
    select
        coalesce(value_streams.name, wip.value_stream_id) as value_stream,
        wip.item_key,
        wip.title,
        wip.flow_item_type,
        wip.current_status,
        wip.current_flow_state,
        round(wip.age_days, 1) as age_days,
        round(wip.days_in_current_status, 1) as days_in_current_status,
        round(recent_flow_times.recent_p50_days, 1) as stream_recent_p50_days,
        round(recent_flow_times.recent_p85_days, 1) as stream_recent_p85_days,
        case
            when recent_flow_times.recent_p85_days is null then 'no recent history'
            when wip.age_days > recent_flow_times.recent_p85_days then 'at risk'
            when wip.age_days > recent_flow_times.recent_p50_days then 'watch'
            else 'on track'
        end as aging_status,
        wip.work_item_id
    from wip
    left join recent_flow_times
        on wip.value_stream_id = recent_flow_times.value_stream_id
    left join value_streams
        on wip.value_stream_id = value_streams.value_stream_id
)

select * from final
order by age_days desc
