{{ config(materialized='view') }}
{#-
    One row per GitLab issue in the canonical work-item shape (macros/trackers.sql). current_status is
    synthetic like GitHub's (macros/staging_label_statuses.sql): 'closed' when closed, else the status of
    its highest-precedence state label (seed label_states, e.g. workflow::in dev), else 'open'.
-#}
with

issues as (select * from {{ ref('stg_gitlab__issues') }}),

label_states as (
    select * from {{ ref('label_states') }}
    where source = 'gitlab'
),

with_status as (
    select
        *,
        case
            when state = 'closed' then 'closed'
            else coalesce({{ snapshot_label_status('labels', 'label_states') }}, 'open')
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
        instance as project_key,
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
        cast(null as {{ dbt.type_string() }}) as resolution,
        case when state = 'closed' then closed_at end as resolved_at,
        created_at,
        updated_at,
        -- the status history is replayed from the resource events (int_gitlab__status_changes): nothing to count
        cast(null as integer) as history_expected_count,
        cast(null as integer) as history_landed_count,
        _landed_at
    from with_status
)

select * from final
