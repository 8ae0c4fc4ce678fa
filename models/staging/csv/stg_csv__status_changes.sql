with

status_changes as (select * from {{ source('csv', 'csv_status_changes') }}),

renamed as (
    select
        lower(trim(source)) || ':' || trim(instance) || ':' || trim(item_key) as work_item_id,
        lower(trim(source)) as source,
        trim(instance) as instance,
        trim(item_key) as item_key,
        trim(change_id) as change_id,
        {{ to_utc_timestamp('changed_at') }} as changed_at,
        nullif(trim(from_status), '') as from_status,
        trim(to_status) as to_status,
        _source_file,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        _record_position
    from status_changes
),

ranked as (
    -- the same change in several overlapping files: keep one copy
    select
        *,
        row_number() over (
            partition by source, instance, item_key, change_id
            order by _landed_at desc, _source_file desc, _record_position desc
        ) as copy_rank,
        count(*) over (partition by source, instance, item_key, change_id) as copies_landed
    from renamed
),

final as (
    select
        work_item_id,
        source,
        instance,
        item_key,
        change_id,
        changed_at,
        from_status,
        to_status,
        copies_landed,
        _source_file,
        _landed_at
    from ranked
    where copy_rank = 1
)

select * from final
