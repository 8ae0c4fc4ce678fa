{{ config(materialized='view') }}
{#-
    One row per value stream x configured stage: the stream's own rows of seeds/value_stream_stages.csv,
    else the every-stream rows (value_stream_id `*` or empty). Every stream of value_streams and
    'unassigned' gets its stages, so the map shows a stage even when no item has been in it.
-#}
with

value_streams as (select * from {{ ref('value_streams') }}),

value_stream_stages as (select * from {{ ref('value_stream_stages') }}),

stage_rows as (
    select
        case
            when trim(coalesce(value_stream_id, '')) in ('', '*') then '*'
            else trim(value_stream_id)
        end as value_stream_id,
        trim(stage) as stage,
        cast(stage_order as integer) as stage_order,
        intent,
        proof_point,
        cast(policy_sla_days as {{ flowmart.type_double() }}) as policy_sla_days,
        primary_metric
    from value_stream_stages
    where trim(coalesce(stage, '')) <> ''
),

streams as (
    select value_stream_id
    from value_streams
    where value_stream_id <> 'unassigned'
    union all
    select 'unassigned' as value_stream_id
),

streams_with_own_stages as (
    select distinct value_stream_id
    from stage_rows
    where value_stream_id <> '*'
),

final as (
    select
        streams.value_stream_id,
        stage_rows.stage,
        stage_rows.stage_order,
        stage_rows.intent,
        stage_rows.proof_point,
        stage_rows.policy_sla_days,
        stage_rows.primary_metric,
        stage_rows.value_stream_id <> '*' as is_stream_specific
    from streams
    left join streams_with_own_stages
        on streams.value_stream_id = streams_with_own_stages.value_stream_id
    inner join stage_rows
        on (streams_with_own_stages.value_stream_id is not null and streams.value_stream_id = stage_rows.value_stream_id)
        or (streams_with_own_stages.value_stream_id is null and stage_rows.value_stream_id = '*')
)

select * from final
