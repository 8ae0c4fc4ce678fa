with

work_items as (select * from {{ ref('int_work_items_mapped') }}),

lifecycles as (select * from {{ ref('int_work_item_lifecycles') }}),

calendar_days as (select * from {{ ref('int_calendar_days') }}),

joined as (
    select
        work_items.*,
        lifecycles.current_status,
        lifecycles.current_status_id,
        lifecycles.current_flow_state,
        lifecycles.current_stage,
        lifecycles.current_status_entered_at,
        lifecycles.started_at,
        lifecycles.finished_at,
        lifecycles.canceled_at,
        lifecycles.reopen_count,
        lifecycles.active_seconds,
        lifecycles.active_business_days,
        lifecycles.has_unmapped_status,
        lifecycles.has_unknown_status,
        lifecycles.is_start_unknown,
        -- the end of the window active and waiting time are measured in
        case
            when lifecycles.started_at is not null and lifecycles.canceled_at is null
                then coalesce(lifecycles.finished_at, {{ flowmart.as_of_timestamp() }})
        end as window_end_at
    from work_items
    inner join lifecycles
        on work_items.work_item_id = lifecycles.work_item_id
),

with_business_clock as (
    select
        joined.*,
        (
            window_end_day.business_days_before
            + case when window_end_day.is_business_day then {{ flowmart.fraction_of_day('joined.window_end_at') }} else 0 end
        )
        - (
            start_day.business_days_before
            + case when start_day.is_business_day then {{ flowmart.fraction_of_day('joined.started_at') }} else 0 end)
            as window_business_days
    from joined
    left join calendar_days as start_day
        on cast(joined.started_at as date) = start_day.date_day
    left join calendar_days as window_end_day
        on cast(joined.window_end_at as date) = window_end_day.date_day
),

final as (
    select
        work_item_id,
        source,
        instance,
        item_key,
        title,
        value_stream_id,
        flow_item_type,
        is_flow_item,
        tracker_item_type,
        tracker_item_type_id,
        current_status,
        current_status_id,
        current_flow_state,
        current_stage,
        created_at,
        started_at,
        finished_at,
        canceled_at,
        case when finished_at is not null then {{ flowmart.days_between('started_at', 'finished_at') }} end
            as flow_time_days,
        cast(active_seconds as {{ flowmart.type_double() }}) / 86400 as active_days,
        {{ flowmart.days_between('started_at', 'window_end_at') }} - cast(active_seconds as {{ flowmart.type_double() }}) / 86400
            as waiting_days,
        case when finished_at is not null then window_business_days end as flow_time_business_days,
        active_business_days,
        window_business_days - active_business_days as waiting_business_days,
        case
            when finished_at is not null and finished_at > started_at
                then cast(active_seconds as {{ flowmart.type_double() }})
                    / {{ dbt.datediff('started_at', 'finished_at', 'second') }}
        end as flow_efficiency,
        reopen_count,
        case
            when current_flow_state in ('active', 'waiting')
                then {{ flowmart.days_between('started_at', flowmart.as_of_timestamp()) }}
        end as age_days,
        current_flow_state in ('active', 'waiting') as is_wip,
        finished_at is not null as is_finished,
        finished_at is not null and started_at is null and not is_start_unknown as is_done_without_start,
        is_start_unknown,
        is_history_complete,
        is_stream_assigned,
        is_type_mapped,
        has_unmapped_status,
        has_unknown_status,
        project_key,
        components,
        labels,
        area_path,
        parent_key,
        resolution,
        resolved_at,
        updated_at,
        current_status_entered_at,
        cast(created_at as date) as created_date,
        cast(started_at as date) as started_date,
        cast(finished_at as date) as finished_date,
        cast(canceled_at as date) as canceled_date,
        {{ flowmart.as_of_timestamp() }} as as_of
    from with_business_clock
)

select * from final
