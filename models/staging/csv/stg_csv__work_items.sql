with

work_items as (select * from {{ source('csv', 'csv_work_items') }}),

renamed as (
    select
        lower(trim(source)) || ':' || trim(instance) || ':' || trim(item_key) as work_item_id,
        lower(trim(source)) as source,
        trim(instance) as instance,
        trim(item_key) as item_key,
        title,
        trim(item_type) as tracker_item_type,
        trim(project) as project_key,
        {{ delimited_list('components') }} as components,
        {{ delimited_list('labels') }} as labels,
        nullif(trim(area_path), '') as area_path,
        nullif(trim(parent_key), '') as parent_key,
        trim(status) as current_status,
        lower(nullif(trim(status_category), '')) as current_status_category,
        nullif(trim(resolution), '') as resolution,
        {{ to_utc_timestamp('resolved_at') }} as resolved_at,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        _source_file,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        _record_position
    from work_items
),

ranked as (
    -- overlapping exports: keep the newest snapshot (the tracker's updated_at, then the latest landing)
    select
        *,
        row_number() over (
            partition by source, instance, item_key
            order by updated_at desc nulls last, _landed_at desc, _source_file desc, _record_position desc
        ) as snapshot_rank
    from renamed
),

final as (
    select
        work_item_id,
        source,
        instance,
        item_key,
        cast(null as {{ dbt.type_string() }}) as source_item_id,
        title,
        tracker_item_type,
        cast(null as boolean) as is_subtask,
        project_key,
        cast(null as {{ dbt.type_string() }}) as project_name,
        components,
        labels,
        area_path,
        parent_key,
        current_status,
        current_status_category,
        resolution,
        resolved_at,
        created_at,
        updated_at,
        _source_file,
        -- the export carries the whole status history (or it is rebuilt from it): nothing to count
        cast(null as integer) as history_expected_count,
        cast(null as integer) as history_landed_count,
        _landed_at
    from ranked
    where snapshot_rank = 1
)

select * from final
