{#-
    One row per value stream x month x metric of business_results.csv (docs/input-formats.md).
    A date inside a month counts for that month. The metric is 'north_star' when it names the stream's
    north-star metric in seeds/value_streams.csv (case and surrounding spaces ignored), else revenue, cost,
    quality or happiness; other names are dropped here (the gate quarantines them). The same stream, month
    and metric in several files: the latest landing wins (a corrected file replaces the figure).
-#}
with

business_results as (select * from {{ source('csv', 'csv_business_results') }}),

value_streams as (select * from {{ ref('value_streams') }}),

renamed as (
    select
        trim(business_results.value_stream_id) as value_stream_id,
        {{ flowmart.period_start('month', dbt.safe_cast('trim(business_results.period_start)', 'date')) }}
            as period_start,
        trim(business_results.metric) as metric_name,
        lower(trim(business_results.metric)) as metric_key,
        {{ dbt.safe_cast('trim(business_results.value)', flowmart.type_double()) }} as value,
        nullif(trim(business_results.unit), '') as unit,
        business_results._source_file,
        cast(business_results._landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        business_results._record_position
    from business_results
),

classified as (
    select
        renamed.*,
        case
            when renamed.metric_key in ('revenue', 'cost', 'quality', 'happiness') then renamed.metric_key
            when renamed.metric_key = lower(trim(value_streams.north_star_metric)) then 'north_star'
        end as metric
    from renamed
    left join value_streams
        on renamed.value_stream_id = value_streams.value_stream_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by value_stream_id, period_start, metric
            order by _landed_at desc, _source_file desc, _record_position desc
        ) as copy_rank
    from classified
    where metric is not null and period_start is not null and value is not null
),

final as (
    select
        value_stream_id,
        period_start,
        metric,
        metric_name,
        value,
        unit,
        _source_file,
        _landed_at
    from ranked
    where copy_rank = 1
)

select * from final
