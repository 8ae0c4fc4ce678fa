with

value_streams as (select * from {{ ref('value_streams') }}),

work_items as (select * from {{ ref('int_work_items_mapped') }}),

declared as (
    select
        value_stream_id,
        name,
        customer_segment,
        persona,
        stream_kind,
        serves,
        north_star_metric,
        start_trigger,
        finish_line,
        outcome,
        false as is_unassigned
    from value_streams
    where value_stream_id <> 'unassigned'
),

unassigned as (
    select
        'unassigned' as value_stream_id,
        'Unassigned' as name,
        cast(null as {{ dbt.type_string() }}) as customer_segment,
        cast(null as {{ dbt.type_string() }}) as persona,
        cast(null as {{ dbt.type_string() }}) as stream_kind,
        cast(null as {{ dbt.type_string() }}) as serves,
        cast(null as {{ dbt.type_string() }}) as north_star_metric,
        cast(null as {{ dbt.type_string() }}) as start_trigger,
        cast(null as {{ dbt.type_string() }}) as finish_line,
        'Work items that match no stream-assignment rule: map them so that no work is invisible.' as outcome,
        true as is_unassigned
),

streams as (
    select * from declared
    union all
    select * from unassigned
),

item_counts as (
    select
        value_stream_id,
        count(*) as work_item_count
    from work_items
    group by value_stream_id
),

final as (
    select
        streams.*,
        cast(coalesce(item_counts.work_item_count, 0) as integer) as work_item_count
    from streams
    left join item_counts
        on streams.value_stream_id = item_counts.value_stream_id
)

select * from final
