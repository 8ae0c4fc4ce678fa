{#-
    One row per value stream x month x metric of business_results.csv (docs/input-formats.md).
    A date inside a month counts for that month; the metric is keyed lower case and trimmed (which one is
    the stream's north-star metric is decided downstream, against the value_streams seed). The same stream,
    month and metric in several files: the latest landing wins (a corrected file replaces the figure).
-#}
with

business_results as (select * from {{ source('csv', 'csv_business_results') }}),

renamed as (
    select
        trim(value_stream_id) as value_stream_id,
        {{ flowmart.period_start('month', dbt.safe_cast('trim(period_start)', 'date')) }} as period_start,
        lower(trim(metric)) as metric,
        trim(metric) as metric_name,
        {{ dbt.safe_cast('trim(value)', flowmart.type_double()) }} as value,
        nullif(trim(unit), '') as unit,
        _source_file,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        _record_position
    from business_results
),

ranked as (
    select
        *,
        row_number() over (
            partition by value_stream_id, period_start, metric
            order by _landed_at desc, _source_file desc, _record_position desc
        ) as copy_rank
    from renamed
    where period_start is not null and value is not null and metric <> ''
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
