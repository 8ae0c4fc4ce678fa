{#-
    One row per GitLab issue - the newest snapshot (updated_at, then latest landing). instance = project path.
    GitLab issues have no workflow status: int_gitlab__work_items derives one from state and scoped labels.
-#}
with

issues as (select * from {{ source('gitlab', 'gitlab_issues') }}),

renamed as (
    select
        'gitlab:' || instance || ':' || issue_iid as work_item_id,
        'gitlab' as source,
        instance,
        issue_id,
        issue_iid as item_key,
        title,
        coalesce(lower(issue_type), 'issue') as tracker_item_type,
        {{ json_array_to_delimited('labels') }} as labels,
        {{ json_array_to_delimited('assignees') }} as assignees,
        milestone,
        lower(state) as state,
        {{ to_utc_timestamp('closed_at') }} as closed_at,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        _source_file,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        _record_position
    from issues
),

ranked as (
    select
        *,
        row_number() over (
            partition by instance, item_key
            order by updated_at desc nulls last, _landed_at desc, _source_file desc, _record_position desc
        ) as snapshot_rank
    from renamed
),

final as (
    select
        work_item_id,
        source,
        instance,
        issue_id,
        item_key,
        title,
        tracker_item_type,
        labels,
        assignees,
        milestone,
        state,
        closed_at,
        created_at,
        updated_at,
        _source_file,
        _landed_at
    from ranked
    where snapshot_rank = 1
)

select * from final
