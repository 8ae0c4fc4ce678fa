{#-
    One row per work item per status interval as of var('as_of'), with the item's stream and flow item
    type and each status's flow state and stage:
      - intervals entered after as_of are dropped; one still running at as_of is open (exited_at null);
      - done + a canceled resolution -> canceled: the item's resolution is only known for its final
        state, so it turns the final run of done intervals (in the full history) into canceled;
      - previous_flow_state is the flow state of the interval before (null for the status at creation).
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
),

with_final_done_run as (
    select
        *,
        max(case when mapped_flow_state <> 'done' then interval_index end)
            over (partition by work_item_id) as last_not_done_index
    from mapped
),

resolved as (
    select
        *,
        case
            when mapped_flow_state = 'done'
                and has_canceled_resolution
                and interval_index > coalesce(last_not_done_index, -1)
                then 'canceled'
            else mapped_flow_state
        end as flow_state
    from with_final_done_run
),

sequenced as (
    select
        work_item_id,
        value_stream_id,
        flow_item_type,
        source,
        instance,
        interval_index,
        status,
        flow_state,
        stage,
        is_status_mapped,
        entered_at,
        exited_at,
        lag(flow_state) over (partition by work_item_id order by interval_index) as previous_flow_state,
        change_id
    from resolved
),

cut_at_as_of as (
    select
        work_item_id,
        value_stream_id,
        flow_item_type,
        source,
        instance,
        interval_index,
        status,
        flow_state,
        stage,
        is_status_mapped,
        entered_at,
        case when exited_at <= {{ flowmart.as_of_timestamp() }} then exited_at end as exited_at,
        exited_at is null or exited_at > {{ flowmart.as_of_timestamp() }} as is_current,
        previous_flow_state,
        change_id
    from sequenced
    where entered_at <= {{ flowmart.as_of_timestamp() }}
)

select * from cut_at_as_of
