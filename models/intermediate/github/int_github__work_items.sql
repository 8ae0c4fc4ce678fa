{{ config(materialized='view') }}
{#-
    One row per GitHub issue in the canonical work-item shape (macros/trackers.sql). GitHub issues have no
    workflow status: current_status is synthetic (macros/staging_label_statuses.sql):
    closed -> 'closed (completed)' | 'closed (not planned)' (state_reason not_planned or duplicate);
    open -> the status of its highest-precedence state label (seed label_states), else 'in progress' when
    assigned (var github_assignment_starts_work, default true), else 'open'.
-#}
with

issues as (select * from {{ ref('stg_github__issues') }}),

label_states as (
    select * from {{ ref('label_states') }}
    where source = 'github'
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
    from issues
),

final as (
    select
        work_item_id,
        source,
        instance,
        item_key,
        cast(issue_id as {{ dbt.type_string() }}) as source_item_id,
        title,
        tracker_item_type,
        cast(null as boolean) as is_subtask,
        project_key,
        cast(null as {{ dbt.type_string() }}) as project_name,
        cast(null as {{ dbt.type_string() }}) as components,
        labels,
        cast(null as {{ dbt.type_string() }}) as area_path,
        cast(null as {{ dbt.type_string() }}) as parent_key,
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
        -- the status history is replayed from the events (int_github__status_changes): nothing to count
        cast(null as integer) as history_expected_count,
        cast(null as integer) as history_landed_count,
        _landed_at
    from with_status
)

select * from final
