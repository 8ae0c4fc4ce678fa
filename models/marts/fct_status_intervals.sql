{#-
    One row per work item per status interval as of var('as_of'), with the item's stream and flow item
    type and each status's flow state and stage:
      - intervals entered after as_of are dropped; one still running at as_of is open (exited_at null);
      - done + a canceled resolution -> canceled: the item's resolution is only known for its final
        state, so it turns the final run of done intervals (in the full history) into canceled;
      - previous_flow_state is the flow state of the interval before (null for the status at creation).
    The one stored copy of the mapped intervals: int_work_item_lifecycles and the other marts read it
    (docs/decisions.md, performance: writing the same 6M rows as an intermediate table and again here
    cost more than any other model at 1M items).
-#}
with

status_intervals as (select * from {{ ref('int_status_intervals') }}),

work_items as (select * from {{ ref('int_work_items_mapped') }}),

statuses as (select * from {{ ref('int_statuses_mapped') }}),

mapped as (
    select
        status_intervals.work_item_id,
        work_items.value_stream_id,
        work_items.flow_item_type,
        status_intervals.source,
        status_intervals.instance,
        status_intervals.interval_index,
        status_intervals.status,
        statuses.flow_state as mapped_flow_state,
        previous_statuses.flow_state as previous_mapped_flow_state,
        statuses.stage,
        statuses.is_status_mapped,
        status_intervals.entered_at,
        status_intervals.exited_at,
        status_intervals.change_id,
        work_items.has_canceled_resolution
    from status_intervals
    inner join work_items
        on status_intervals.work_item_id = work_items.work_item_id
    inner join statuses
        on work_items.value_stream_id = statuses.value_stream_id
        and status_intervals.source = statuses.source
        and status_intervals.instance = statuses.instance
        and status_intervals.status = statuses.status
    left join statuses as previous_statuses
        on work_items.value_stream_id = previous_statuses.value_stream_id
        and status_intervals.source = previous_statuses.source
        and status_intervals.instance = previous_statuses.instance
        and status_intervals.previous_status = previous_statuses.status
),

-- only items whose resolution cancels them have a final done run to turn into canceled
final_done_runs as (
    select
        work_item_id,
        max(case when mapped_flow_state <> 'done' then interval_index end) as last_not_done_index
    from mapped
    where has_canceled_resolution
    group by work_item_id
),

resolved as (
    select
        mapped.*,
        case
            when mapped.mapped_flow_state = 'done'
                and mapped.has_canceled_resolution
                and mapped.interval_index > coalesce(final_done_runs.last_not_done_index, -1)
                then 'canceled'
            else mapped.mapped_flow_state
        end as flow_state,
        case
            when mapped.previous_mapped_flow_state = 'done'
                and mapped.has_canceled_resolution
                and mapped.interval_index - 1 > coalesce(final_done_runs.last_not_done_index, -1)
                then 'canceled'
            else mapped.previous_mapped_flow_state
        end as previous_flow_state
    from mapped
    left join final_done_runs
        on mapped.work_item_id = final_done_runs.work_item_id
),

cut_at_as_of as (
    select
        work_item_id,
        interval_index,
        value_stream_id,
        flow_item_type,
        source,
        instance,
        status,
        flow_state,
        stage,
        previous_flow_state,
        entered_at,
        case when exited_at <= {{ flowmart.as_of_timestamp() }} then exited_at end as exited_at,
        exited_at is null or exited_at > {{ flowmart.as_of_timestamp() }} as is_current,
        is_status_mapped,
        change_id
    from resolved
    where entered_at <= {{ flowmart.as_of_timestamp() }}
),

final as (
    select
        work_item_id,
        interval_index,
        value_stream_id,
        flow_item_type,
        source,
        instance,
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
    from cut_at_as_of
)

select * from final
