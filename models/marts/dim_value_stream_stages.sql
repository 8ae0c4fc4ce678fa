{#-
    One row per value stream x configured stage (seeds/value_stream_stages.csv: a stream's own rows, else
    the every-stream rows): the horizontal axis of the value-stream map in its configured order, with the
    business facts the Flow Framework map asks for per stage, and how many items are in the stage at as_of.
    A stage is listed even when no item has ever been in it; statuses are never stages.
-#}
with

stream_stages as (select * from {{ ref('int_value_stream_stages') }}),

work_items as (select * from {{ ref('fct_work_items') }}),

items_in_stage as (
    select
        value_stream_id,
        current_stage as stage,
        count(*) as items_now
    from work_items
    where is_flow_item
        and current_flow_state in ('new', 'active', 'waiting')
        and current_stage is not null
    group by value_stream_id, current_stage
),

final as (
    select
        stream_stages.value_stream_id,
        stream_stages.stage,
        stream_stages.stage_order,
        stream_stages.intent,
        stream_stages.proof_point,
        stream_stages.policy_sla_days,
        stream_stages.primary_metric,
        stream_stages.is_stream_specific,
        cast(coalesce(items_in_stage.items_now, 0) as integer) as open_items_now
    from stream_stages
    left join items_in_stage
        on stream_stages.value_stream_id = items_in_stage.value_stream_id
        and stream_stages.stage = items_in_stage.stage
)

select * from final
