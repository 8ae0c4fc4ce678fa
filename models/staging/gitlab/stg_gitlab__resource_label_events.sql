-- One row per GitLab resource label event (add, remove), deduplicated by event id. Timestamps UTC.
with

events as (select * from {{ source('gitlab', 'gitlab_resource_label_events') }}),

ranked as (
    select
        event_id,
        resource_type,
        resource_id,
        lower(action) as action,
        label_name,
        {{ to_utc_timestamp('created_at') }} as event_at,
        user_username,
        _source_file,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        row_number() over (
            partition by event_id
            order by _landed_at desc, _source_file desc, _record_position desc
        ) as copy_rank
    from events
),

final as (
    select
        event_id,
        resource_type,
        resource_id,
        action,
        label_name,
        event_at,
        user_username,
        _source_file,
        _landed_at
    from ranked
    where copy_rank = 1
)

select * from final
