{#-
    One row per GitHub issue (pull requests were skipped at landing): the newest snapshot.
    GitHub issues have no workflow status: current_status is synthetic (macros/staging_label_statuses.sql):
    closed -> 'closed (completed)' | 'closed (not planned)' (state_reason not_planned or duplicate);
    open -> the status of its highest-precedence state label (seed label_states), else 'in progress' when
    assigned (var github_assignment_starts_work, default true), else 'open'.
-#}
with

issues as (select * from {{ source('github', 'github_issues') }}),

label_states as (
    select * from {{ ref('label_states') }}
    where source = 'github'
),

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

newest as (
    select * from ranked
    where snapshot_rank = 1
),

with_status as (
    select
        *,
        case
            when state = 'closed' and state_reason in ('not_planned', 'duplicate') then 'closed (not planned)'
            when state = 'closed' then 'closed (completed)'
            when {{ snapshot_label_status('labels', 'label_states') }} is not null
                then {{ snapshot_label_status('labels', 'label_states') }}
            {%- if var('github_assignment_starts_work', true) %}
            when assignees is not null then 'in progress'
            {%- endif %}
            else 'open'
        end as current_status
    from newest
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
        case when state = 'closed' then coalesce(state_reason, 'completed') end as resolution,
        case when state = 'closed' then closed_at end as resolved_at,
        created_at,
        updated_at,
        _source_file,
        _landed_at
    from with_status
)

select * from final
