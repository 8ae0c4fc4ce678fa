{#-
    Question: how long does work take in each value stream this quarter, and is it getting better?

    Flow time percentiles, velocity and efficiency per value stream for the quarter containing the
    warehouse's as_of and the quarter before it (quarters follow var fiscal_year_start_month).
    "This quarter" comes from the data (the newest quarter in fct_flow_metrics), not from the clock, so
    the answer is the same whenever it is run against the same build or published version.

    Run it: `dbt compile --select flow_time_by_stream_this_quarter` and paste
    target/compiled/flowmart/analyses/flow_time_by_stream_this_quarter.sql into any SQL client, or
    replace each ref() with marts.<name> and run it against the published file (docs/serving.md).
-#}
with

flow_metrics as (select * from {{ ref('fct_flow_metrics') }}),

value_streams as (select * from {{ ref('dim_value_streams') }}),

quarters as (
    select distinct period_start
    from flow_metrics
    where period_grain = 'quarter'
),

this_and_previous_quarter as (
    select
        period_start,
        row_number() over (order by period_start desc) as quarters_back
    from quarters
),

final as (
    select
        coalesce(value_streams.name, 'All streams') as value_stream,
        flow_metrics.value_stream_id,
        case when this_and_previous_quarter.quarters_back = 1 then 'this quarter' else 'previous quarter' end
            as period,
        flow_metrics.period_start,
        flow_metrics.flow_velocity,
        flow_metrics.flow_time_item_count,
        round(flow_metrics.flow_time_p50_days, 1) as flow_time_p50_days,
        round(flow_metrics.flow_time_p85_days, 1) as flow_time_p85_days,
        round(flow_metrics.flow_time_p95_days, 1) as flow_time_p95_days,
        round(flow_metrics.flow_time_mean_days, 1) as flow_time_mean_days,
        round(flow_metrics.flow_time_business_mean_days, 1) as flow_time_business_mean_days,
        round(100 * flow_metrics.flow_efficiency, 1) as flow_efficiency_pct
    from flow_metrics
    inner join this_and_previous_quarter
        on flow_metrics.period_start = this_and_previous_quarter.period_start
    left join value_streams
        on flow_metrics.value_stream_id = value_streams.value_stream_id
    where
        flow_metrics.period_grain = 'quarter'
        and flow_metrics.flow_item_type = 'all'
        and this_and_previous_quarter.quarters_back <= 2
)

select * from final
order by value_stream_id = 'all', value_stream asc, period_start desc
