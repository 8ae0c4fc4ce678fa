{#-
    Business results beside flow: one row per value stream (of the value_streams seed) x period grain
    (month, quarter, half_year) x period start. The business side comes from business_results.csv
    (stg_csv__business_results, monthly figures): revenue and cost are summed over the period's months,
    the north-star metric, quality and happiness are levels and averaged over the months that report them.
    The flow side is fct_flow_metrics' row of the same stream and period (flow_item_type 'all'; feature share
    from its 'feature' row), so both marts always agree. Periods: every period of fct_flow_metrics, plus
    periods with business results before the first work item; none after as_of.
-#}
-- sqlfluff:exclude_rules:LT02,LT05,ST06,AM04,RF04,ST05
{%- set grains = ['month', 'quarter', 'half_year'] %}
with

value_streams as (
    select *
    from {{ ref('dim_value_streams') }}
    where not is_unassigned
),

-- the metric: revenue, cost, quality, happiness, or 'north_star' when it names the stream's north-star
-- metric (case and surrounding spaces ignored); other names and streams the seed lacks are left out
business_results as (
    select
        results.value_stream_id,
        results.period_start,
        case
            when results.metric in ('revenue', 'cost', 'quality', 'happiness') then results.metric
            else 'north_star'
        end as metric,
        -- exact decimals, so a sum or mean does not depend on the order rows arrive in (doubles would:
        -- (2.9 + 3.1) + 3.3 and (3.3 + 3.1) + 2.9 differ in the last bit, and a rebuild could change a figure)
        cast(results.value as {{ dbt.type_numeric() }}) as value,
        results.unit
    from {{ ref('stg_csv__business_results') }} as results
    inner join value_streams
        on results.value_stream_id = value_streams.value_stream_id
    where results.period_start <= {{ flowmart.as_of_date() }}
        and (
            results.metric in ('revenue', 'cost', 'quality', 'happiness')
            or results.metric = lower(trim(value_streams.north_star_metric))
        )
),

flow_metrics as (
    select *
    from {{ ref('fct_flow_metrics') }}
    where period_grain in ({% for grain in grains %}'{{ grain }}'{{ ', ' if not loop.last }}{% endfor %})
        and value_stream_id <> 'all'
),

-- each monthly figure in its month, quarter and half-year
results_by_period as (
    {% for grain in grains -%}
    select
        '{{ grain }}' as period_grain,
        {{ flowmart.period_start(grain, 'period_start') }} as period_start,
        period_start as month_start,
        value_stream_id,
        metric,
        value,
        unit
    from business_results
    {{ 'union all' if not loop.last }}
    {% endfor %}
),

results as (
    select
        value_stream_id,
        period_grain,
        period_start,
        cast(avg(case when metric = 'north_star' then value end) as {{ flowmart.type_double() }}) as north_star_value,
        max(case when metric = 'north_star' then unit end) as north_star_unit,
        cast(sum(case when metric = 'revenue' then value end) as {{ flowmart.type_double() }}) as revenue,
        max(case when metric = 'revenue' then unit end) as revenue_unit,
        cast(sum(case when metric = 'cost' then value end) as {{ flowmart.type_double() }}) as cost,
        max(case when metric = 'cost' then unit end) as cost_unit,
        cast(avg(case when metric = 'quality' then value end) as {{ flowmart.type_double() }}) as quality,
        cast(avg(case when metric = 'happiness' then value end) as {{ flowmart.type_double() }}) as happiness,
        count(distinct month_start) as months_with_results
    from results_by_period
    group by value_stream_id, period_grain, period_start
),

flow as (
    select
        value_stream_id,
        period_grain,
        period_start,
        max(case when flow_item_type = 'all' then flow_velocity end) as flow_velocity,
        max(case when flow_item_type = 'all' then flow_time_p50_days end) as flow_time_p50_days,
        max(case when flow_item_type = 'all' then flow_time_p85_days end) as flow_time_p85_days,
        max(case when flow_item_type = 'all' then flow_load_avg end) as flow_load_avg,
        max(case when flow_item_type = 'all' then flow_efficiency end) as flow_efficiency,
        max(case when flow_item_type = 'feature' then flow_distribution_pct end) as feature_pct
    from flow_metrics
    group by value_stream_id, period_grain, period_start
),

periods as (
    select distinct
        period_grain,
        period_start
    from flow_metrics
    union
    select distinct
        period_grain,
        period_start
    from results_by_period
),

spine as (
    select
        value_streams.value_stream_id,
        value_streams.north_star_metric,
        periods.period_grain,
        periods.period_start
    from value_streams
    cross join periods
),

final as (
    select
        spine.value_stream_id,
        spine.period_grain,
        spine.period_start,
        {%- for grain in grains %}
        {{ 'case' if loop.first }} when spine.period_grain = '{{ grain }}' then {{ flowmart.period_end(grain, 'spine.period_start') }}
        {%- endfor %} end as period_end,
        spine.north_star_metric,
        results.north_star_value,
        results.north_star_unit,
        results.revenue,
        results.revenue_unit,
        results.cost,
        results.cost_unit,
        results.quality,
        results.happiness,
        coalesce(results.months_with_results, 0) as months_with_results,
        coalesce(flow.flow_velocity, 0) as flow_velocity,
        flow.flow_time_p50_days,
        flow.flow_time_p85_days,
        coalesce(flow.flow_load_avg, 0) as flow_load_avg,
        flow.flow_efficiency,
        -- fct_flow_metrics has a feature row only for streams that ever had a feature
        case when flow.flow_velocity > 0 then coalesce(flow.feature_pct, 0) end as feature_share_pct
    from spine
    left join results
        on spine.value_stream_id = results.value_stream_id
        and spine.period_grain = results.period_grain
        and spine.period_start = results.period_start
    left join flow
        on spine.value_stream_id = flow.value_stream_id
        and spine.period_grain = flow.period_grain
        and spine.period_start = flow.period_start
)

select * from final
