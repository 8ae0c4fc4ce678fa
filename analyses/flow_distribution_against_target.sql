{#-
    Question: is each stream spending its capacity the way it agreed to (features vs defects vs risks vs debt)?

    Flow Distribution of finished work (share of velocity) and of work in progress (share of load at period
    end) per stream and flow item type, against the target from the flow_distribution_targets seed, for the
    last two quarters. gap_pct_points > 0: more of this type than planned.
-#}
with

flow_metrics as (select * from {{ ref('fct_flow_metrics') }}),

value_streams as (select * from {{ ref('dim_value_streams') }}),

quarters as (
    select
        period_start,
        row_number() over (order by period_start desc) as quarters_back
    from (
        select distinct period_start from flow_metrics
        where period_grain = 'quarter'
    ) as distinct_quarters
),

final as (
    select
        coalesce(value_streams.name, 'All streams') as value_stream,
        flow_metrics.value_stream_id,
        flow_metrics.period_start,
        flow_metrics.flow_item_type,
        flow_metrics.flow_velocity,
        round(flow_metrics.flow_distribution_pct, 1) as flow_distribution_pct,
        flow_metrics.flow_distribution_target_pct,
        round(flow_metrics.flow_distribution_pct - flow_metrics.flow_distribution_target_pct, 1)
            as gap_pct_points,
        round(flow_metrics.flow_load_distribution_pct, 1) as load_distribution_pct
    from flow_metrics
    inner join quarters
        on flow_metrics.period_start = quarters.period_start
    left join value_streams
        on flow_metrics.value_stream_id = value_streams.value_stream_id
    where
        flow_metrics.period_grain = 'quarter'
        and flow_metrics.flow_item_type <> 'all'
        and quarters.quarters_back <= 2
)

select * from final
order by value_stream_id = 'all', value_stream asc, period_start desc, flow_item_type asc
