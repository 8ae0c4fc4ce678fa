{{ config(materialized='view') }}
{#-
    One row per Jira issue in the canonical work-item shape (macros/trackers.sql): the newest snapshot with
    how many of its changelog histories landed (the search response embeds up to changelog.maxResults of
    them; changelog pages add the rest).
-#}
with

issues as (select * from {{ ref('stg_jira__issues') }}),

history_counts as (select * from {{ ref('int_jira__changelog_history_counts') }}),

final as (
    select
        issues.work_item_id,
        issues.source,
        issues.instance,
        issues.item_key,
        cast(issues.issue_id as {{ dbt.type_string() }}) as source_item_id,
        issues.title,
        issues.tracker_item_type,
        issues.tracker_item_type_id,
        issues.is_subtask,
        issues.project_key,
        issues.project_name,
        issues.components,
        issues.labels,
        cast(null as {{ dbt.type_string() }}) as area_path,
        issues.parent_key,
        issues.current_status,
        issues.current_status_id,
        issues.current_status_category,
        issues.resolution,
        issues.resolved_at,
        issues.created_at,
        issues.updated_at,
        cast(issues.changelog_total as integer) as history_expected_count,
        cast(
            case
                when coalesce(history_counts.history_landed_count, 0) > coalesce(issues.embedded_history_count, 0)
                    then coalesce(history_counts.history_landed_count, 0)
                else coalesce(issues.embedded_history_count, 0)
            end as integer
        ) as history_landed_count,
        issues._landed_at
    from issues
    left join history_counts
        on issues.instance = history_counts.instance
        and issues.issue_id = history_counts.issue_id
)

select * from final
