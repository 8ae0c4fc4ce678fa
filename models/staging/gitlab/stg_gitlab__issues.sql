{#-
    One row per GitLab issue - the newest snapshot (updated_at, then latest landing). instance = project path.
    current_status is synthetic like GitHub's (macros/staging_label_statuses.sql): 'closed' when closed, else the
    status of its highest-precedence state label (seed label_states, e.g. workflow::in dev), else 'open'.
-#}
with

issues as (select * from {{ source('gitlab', 'gitlab_issues') }}),

label_states as (
    select * from {{ ref('label_states') }}
    where source = 'gitlab'
),

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

with_status as (
    select
        *,
        case
            when state = 'closed' then 'closed'
            else coalesce({{ snapshot_label_status('labels', 'label_states') }}, 'open')
        end as current_status
    from ranked
    where snapshot_rank = 1
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
        instance as project_key,
        cast(null as {{ dbt.type_string() }}) as components,
        labels,
        cast(null as {{ dbt.type_string() }}) as area_path,
        cast(null as {{ dbt.type_string() }}) as parent_key,
        assignees,
        milestone,
        current_status,
        case
            when state = 'closed' then 'done'
            when current_status = 'open' then 'new'
            else 'indeterminate'
        end as current_status_category,
        cast(null as {{ dbt.type_string() }}) as resolution,
        case when state = 'closed' then closed_at end as resolved_at,
        created_at,
        updated_at,
        _source_file,
        _landed_at
    from with_status
)

select * from final
