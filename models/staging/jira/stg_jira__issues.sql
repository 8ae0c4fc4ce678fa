{{
    config(
        materialized='incremental',
        incremental_strategy=flowmart.item_rewrite_strategy(),
        unique_key=['instance', 'issue_id'],
        on_schema_change='fail'
    )
}}
{#-
    A table, not a view: several models read it (docs/adr/0012-views-where-readers-scan-once.md).
    Incremental: only issues with a snapshot landed after the newest _landed_at already here are
    deduplicated again, from all their landed snapshots (delete+insert by issue; on Spark every issue, the
    table overwritten: macros/portable/incremental.sql). A snapshot set aside after it was built makes the
    next build a full refresh (flowmart.dbt.rows_set_aside_since_last_build).
-#}
with

issues as (select * from {{ source('jira', 'jira_issues') }}),

{% if flowmart.is_incremental_by_item() %}
watermark as (
    select coalesce(max(_landed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) as landed_at
    from {{ this }}
),

issues_to_process as (
    select distinct
        instance,
        issue_id
    from issues
    where cast(_landed_at as {{ dbt.type_timestamp() }}) > (select landed_at from watermark)
),
{% endif %}

scoped as (
    select issues.*
    from issues
    {% if flowmart.is_incremental_by_item() %}
    inner join issues_to_process
        on issues.instance = issues_to_process.instance
        and issues.issue_id = issues_to_process.issue_id
    {% endif %}
),

renamed as (
    select
        'jira:' || instance || ':' || issue_key as work_item_id,
        'jira' as source,
        instance,
        issue_id,
        issue_key as item_key,
        summary as title,
        issue_type as tracker_item_type,
        -- fields.issuetype.id, landed in a column of its own (warehouses landed before got it filled from
        -- the fields they kept: docs/adr/0078), so no build parses the issues' fields
        issue_type_id as tracker_item_type_id,
        coalesce(lower(is_subtask) = 'true', false) as is_subtask,
        project_key,
        project_name,
        {{ json_array_to_delimited('components') }} as components,
        {{ json_array_to_delimited('labels') }} as labels,
        parent_key,
        status_name as current_status,
        status_id as current_status_id,
        lower(status_category_key) as current_status_category,
        resolution,
        {{ to_utc_timestamp('resolution_date') }} as resolved_at,
        {{ to_utc_timestamp('created') }} as created_at,
        {{ to_utc_timestamp('updated') }} as updated_at,
        changelog_total,
        embedded_history_count,
        _source_file,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at
    from scoped
),

newest_snapshots as (
    -- overlapping exports: keep the newest snapshot (Jira's `updated`, then the latest landing)
    select *
    from {{ first_copies(
        'renamed',
        ['instance', 'issue_id'],
        'updated_at desc nulls last, _landed_at desc, _source_file desc'
    ) }} as snapshots
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
        tracker_item_type_id,
        is_subtask,
        project_key,
        project_name,
        components,
        labels,
        parent_key,
        current_status,
        current_status_id,
        current_status_category,
        resolution,
        resolved_at,
        created_at,
        updated_at,
        changelog_total,
        embedded_history_count,
        _source_file,
        _landed_at
    from newest_snapshots
)

select * from final
