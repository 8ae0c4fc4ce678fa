{{ config(materialized='view') }}
{#-
    One row per landed copy of a Jira status change (changelog item of field `status`) of a landed issue,
    in the canonical status-change shape (macros/trackers.sql). Changes are keyed by issue id (a key can
    change); the issue gives the stable work_item_id. int_status_changes_unioned keeps one copy per
    (item, change) and counts the others. Changes of issues never landed are in
    int_jira__orphaned_status_changes.
-#}
with

changelog_items as (select * from {{ ref('int_jira__changelog_items') }}),

issues as (select * from {{ ref('stg_jira__issues') }}),

final as (
    select
        issues.work_item_id,
        cast(changelog_items.change_id as {{ dbt.type_string() }}) as change_id,
        changelog_items.changed_at,
        changelog_items.from_string as from_status,
        changelog_items.to_string as to_status,
        changelog_items.from_value as from_status_id,
        changelog_items.to_value as to_status_id,
        1 as copies_landed,
        changelog_items.origin,
        changelog_items._source_file,
        changelog_items._landed_at
    from changelog_items
    inner join issues
        on changelog_items.instance = issues.instance
        and changelog_items.issue_id = issues.issue_id
    where changelog_items.field = 'status'
)

select * from final
