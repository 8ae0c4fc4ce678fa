-- One row per GitHub issue event (repository event pages and per-issue event lists), deduplicated by
-- (instance, event_id) across overlapping pages. Timestamps UTC.
with

events as (select * from {{ source('github', 'github_issue_events') }}),

renamed as (
    select
        'github:' || instance || ':' || issue_number as work_item_id,
        instance,
        issue_number as item_key,
        event_id,
        {{ dbt.safe_cast('event_id', api.Column.translate_type('bigint')) }} as event_number,
        lower(event) as event,
        {{ to_utc_timestamp('created_at') }} as event_at,
        label_name,
        assignee_login,
        lower(state_reason) as state_reason,
        actor_login,
        origin,
        _source_file,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        _record_position
    from events
    where event_id is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by instance, event_id
            order by _landed_at desc, _source_file desc, _record_position desc
        ) as copy_rank
    from renamed
),

final as (
    select
        work_item_id,
        instance,
        item_key,
        event_id,
        event_number,
        event,
        event_at,
        label_name,
        assignee_login,
        state_reason,
        actor_login,
        origin,
        _source_file,
        _landed_at
    from ranked
    where copy_rank = 1
)

select * from final
