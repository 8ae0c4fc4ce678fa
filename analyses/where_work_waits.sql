{#-
    Question: where does work wait? Which statuses take the biggest share of flow time in each stream?

    For the items finished in the last complete quarter: each status's share of their total flow time,
    waiting states first. A big waiting share is the bottleneck to remove before pushing more work in.
-#}
with

stage_time as (select * from {{ ref('fct_stage_time') }}),

work_items as (select * from {{ ref('fct_work_items') }}),

value_streams as (select * from {{ ref('dim_value_streams') }}),

as_of as (
    select cast(max(as_of) as date) as as_of_date from work_items
),

last_complete_quarter as (
    select max(stage_time.period_start) as period_start
    from stage_time
    cross join as_of
    where
        stage_time.period_grain = 'quarter'
        and {{ dbt.dateadd('month', 3, 'stage_time.period_start') }} <= as_of.as_of_date
),

final as (
    select
        coalesce(value_streams.name, stage_time.value_stream_id) as value_stream,
        stage_time.period_start,
        stage_time.stage,
        stage_time.status,
        stage_time.flow_state,
        stage_time.items_passed,
        stage_time.items_finished,
        round(stage_time.median_days, 1) as median_days,
        round(100 * stage_time.share_of_flow_time, 1) as share_of_flow_time_pct,
        rank() over (
            partition by stage_time.value_stream_id order by stage_time.share_of_flow_time desc
        ) as rank_in_stream
    from stage_time
    inner join last_complete_quarter
        on stage_time.period_start = last_complete_quarter.period_start
    left join value_streams
        on stage_time.value_stream_id = value_streams.value_stream_id
    where stage_time.period_grain = 'quarter'
)

select * from final
order by value_stream asc, flow_state <> 'waiting', share_of_flow_time_pct desc
