{{ config(materialized='view') }}
{#-
    One row per Jira status change whose issue was never landed, or was quarantined by the quality gate:
    it belongs to no item or stream (counted by fct_data_quality, check orphan_change). Every landed copy
    of a change counts once.
-#}
with

changelog_items as (select * from {{ ref('int_jira__changelog_items') }}),

issues as (select * from {{ ref('stg_jira__issues') }}),

final as (
    select distinct
        'jira' as source,
        changelog_items.instance,
        coalesce(changelog_items.issue_id, changelog_items.item_key) as issue_ref,
        changelog_items.change_id
    from changelog_items
    where changelog_items.field = 'status'
        and not exists (
            select 1
            from issues
            where issues.instance = changelog_items.instance
                and issues.issue_id = changelog_items.issue_id
        )
)

select * from final
