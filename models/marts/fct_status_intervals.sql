with

status_intervals as (select * from {{ ref('int_status_intervals_mapped') }}),

final as (
    select
        work_item_id,
        interval_index,
        value_stream_id,
        flow_item_type,
        source,
        status,
        flow_state,
        stage,
        previous_flow_state,
        entered_at,
        exited_at,
        {{ flowmart.days_between('entered_at', 'coalesce(exited_at, ' ~ flowmart.as_of_timestamp() ~ ')') }} as duration_days,
        is_current,
        is_status_mapped,
        change_id
    from status_intervals
)

select * from final
