{{ config(materialized='view') }}
{#-
    One row per work item across every tracker source, in one canonical shape.
    A view: a union of staging relations (stg_jira__issues is a table) that its three readers
    (int_work_items_mapped, int_status_changes_unioned, fct_data_quality) scan once each; storing the 1M
    rows cost more than the readers spend evaluating it (docs/decisions.md, performance, fourth round).
    Jira has its own CTE (sub-tasks, project names, history completeness); every other source's staging
    already has the canonical columns: adding a tracker means one more entry in keyed_sources (its staging
    model) and in source_item_ids (the tracker's own id of the item, or null).
-#}
{%- set keyed_sources = {
    'csv': 'stg_csv__work_items',
    'github': 'stg_github__issues',
    'gitlab': 'stg_gitlab__issues',
    'azure': 'stg_azure__work_items',
    'linear': 'stg_linear__issues',
} -%}
{%- set source_item_ids = {'csv': 'null', 'github': 'issue_id', 'gitlab': 'issue_id', 'azure': 'item_key', 'linear': 'null'} -%}
with

jira_issues as (select * from {{ ref('stg_jira__issues') }}),

jira_history_counts as (select * from {{ ref('stg_jira__changelog_history_counts') }}),

{% for source, model in keyed_sources.items() %}
{{ source }}_work_items as (select * from {{ ref(model) }}),
{% endfor %}
jira_items as (
    select
        jira_issues.work_item_id,
        jira_issues.source,
        jira_issues.instance,
        jira_issues.item_key,
        cast(jira_issues.issue_id as {{ dbt.type_string() }}) as source_item_id,
        jira_issues.title,
        jira_issues.tracker_item_type,
        jira_issues.is_subtask,
        jira_issues.project_key,
        jira_issues.project_name,
        jira_issues.components,
        jira_issues.labels,
        cast(null as {{ dbt.type_string() }}) as area_path,
        jira_issues.parent_key,
        jira_issues.current_status,
        jira_issues.current_status_category,
        jira_issues.resolution,
        jira_issues.resolved_at,
        jira_issues.created_at,
        jira_issues.updated_at,
        cast(jira_issues.changelog_total as integer) as history_expected_count,
        -- the search response embeds up to changelog_max_results histories; changelog pages add the rest
        cast(
            case
                when coalesce(jira_history_counts.history_landed_count, 0) > coalesce(jira_issues.embedded_history_count, 0)
                    then coalesce(jira_history_counts.history_landed_count, 0)
                else coalesce(jira_issues.embedded_history_count, 0)
            end as integer
        ) as history_landed_count,
        jira_issues._landed_at
    from jira_issues
    left join jira_history_counts
        on jira_issues.instance = jira_history_counts.instance
        and jira_issues.issue_id = jira_history_counts.issue_id
),

{% for source, model in keyed_sources.items() %}
{{ source }}_items as (
    select
        work_item_id,
        source,
        instance,
        item_key,
        cast({{ source_item_ids[source] }} as {{ dbt.type_string() }}) as source_item_id,
        title,
        tracker_item_type,
        cast(null as boolean) as is_subtask,
        project_key,
        cast(null as {{ dbt.type_string() }}) as project_name,
        components,
        labels,
        area_path,
        parent_key,
        current_status,
        current_status_category,
        resolution,
        resolved_at,
        created_at,
        updated_at,
        -- these exports carry the whole status history (or it is rebuilt from them): nothing to count
        cast(null as integer) as history_expected_count,
        cast(null as integer) as history_landed_count,
        _landed_at
    from {{ source }}_work_items
),
{% endfor %}
unioned as (
    select * from jira_items
    {%- for source in keyed_sources %}
    union all
    select * from {{ source }}_items
    {%- endfor %}
),

final as (
    select
        work_item_id,
        source,
        instance,
        item_key,
        source_item_id,
        title,
        tracker_item_type,
        is_subtask,
        project_key,
        project_name,
        components,
        labels,
        area_path,
        parent_key,
        current_status,
        lower(current_status_category) as current_status_category,
        resolution,
        resolved_at,
        created_at,
        updated_at,
        history_expected_count,
        history_landed_count,
        coalesce(history_landed_count >= history_expected_count, true) as is_history_complete,
        _landed_at
    from unioned
)

select * from final
