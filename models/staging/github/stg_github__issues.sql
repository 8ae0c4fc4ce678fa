{#-
    One row per GitHub issue (pull requests were skipped at landing): the newest snapshot. GitHub issues
    have no workflow status: int_github__work_items derives one from state, labels and assignees.
-#}
with

issues as (select * from {{ source('github', 'github_issues') }}),

renamed as (
    select
        'github:' || instance || ':' || issue_number as work_item_id,
        'github' as source,
        instance,
        issue_id,
        issue_number as item_key,
        title,
        coalesce(issue_type, 'Issue') as tracker_item_type,
        instance as project_key,
        {{ json_array_to_delimited('labels') }} as labels,
        {{ json_array_to_delimited('assignees') }} as assignees,
        milestone,
        lower(state) as state,
        lower(state_reason) as state_reason,
        {{ to_utc_timestamp('closed_at') }} as closed_at,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        _source_file,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        _record_position
    from issues
),

ranked as (
    -- overlapping exports: keep the newest snapshot (GitHub's updated_at, then the latest landing)
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
        project_key,
        labels,
        assignees,
        milestone,
        state,
        state_reason,
        closed_at,
        created_at,
        updated_at,
        _source_file,
        _landed_at
    from ranked
    where snapshot_rank = 1
)

select * from final
