{{ config(materialized='view') }}
{#-
    One row per work item across every registered tracker, in one canonical shape (macros/trackers.sql).
    A view: a union of each tracker's work_items model that its readers scan once each; storing it costs
    more than the readers spend evaluating it (docs/adr/0012-views-where-readers-scan-once.md).
-#}
{%- set trackers = flowmart.trackers() -%}
{%- set columns = flowmart.work_item_columns() -%}
with

{% for tracker, models in trackers.items() %}
{{ tracker }}_work_items as (select * from {{ ref(models.work_items) }}),

{% endfor %}
unioned as (
    {%- for tracker in trackers %}
    select {{ flowmart.canonical_select(columns, flowmart.work_item_id_columns(), trackers[tracker].get('ids', false)) }}
    from {{ tracker }}_work_items
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        work_item_id,
        source,
        instance,
        item_key,
        cast(source_item_id as {{ dbt.type_string() }}) as source_item_id,
        title,
        tracker_item_type,
        tracker_item_type_id,
        is_subtask,
        project_key,
        project_name,
        components,
        labels,
        area_path,
        parent_key,
        current_status,
        current_status_id,
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
