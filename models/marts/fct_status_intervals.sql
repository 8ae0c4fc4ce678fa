{{ config(materialized='view') }}
{#- The mart of status intervals: int_status_intervals, the one place they are built and stored, as the
    contract shows it. A view in the work file (no second copy of every interval); publishing writes it
    as a table (docs/adr/0011-intervals-stored-once.md). -#}
with

status_intervals as (select * from {{ ref('int_status_intervals') }}),

final as (
    select
        work_item_id,
        interval_index,
        value_stream_id,
        flow_item_type,
        source,
        instance,
        status,
        status_id,
        flow_state,
        stage,
        stage_order,
        previous_flow_state,
        entered_at,
        exited_at,
        duration_days,
        is_current,
        is_status_mapped,
        mapped_by,
        is_entry_observed,
        change_id
    from status_intervals
)

select * from final
