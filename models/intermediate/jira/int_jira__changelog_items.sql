{{ config(materialized='view') }}
{#-
    One row per landed copy of a Jira changelog item, with issue_id filled in for changelog pages that
    address their issue by key only (the id comes from the issue's snapshot). Most items name their id and
    pass straight through; only key-only items are joined, to the snapshots of the keys they use (an inner
    join to a short list costs a fraction of listing the ids of every issue, and this view is evaluated by
    each of its readers).
-#}
with

changelog_items as (select * from {{ ref('stg_jira__changelog_items') }}),

issues as (select * from {{ ref('stg_jira__issues') }}),

key_only_issues as (
    select distinct
        instance,
        item_key
    from changelog_items
    where issue_id is null
),

key_only_issue_ids as (
    select
        issues.instance,
        issues.item_key,
        issues.issue_id
    from issues
    inner join key_only_issues
        on issues.instance = key_only_issues.instance
        and issues.item_key = key_only_issues.item_key
),

identified as (
    select * from changelog_items
    where issue_id is not null
    union all
    select
        changelog_items.instance,
        key_only_issue_ids.issue_id,
        changelog_items.item_key,
        changelog_items.history_id,
        changelog_items.item_position,
        changelog_items.change_id,
        changelog_items.changed_at,
        changelog_items.field,
        changelog_items.from_string,
        changelog_items.to_string,
        changelog_items.from_value,
        changelog_items.to_value,
        changelog_items.origin,
        changelog_items._source_file,
        changelog_items._file_hash,
        changelog_items._record_position,
        changelog_items._landed_at
    from changelog_items
    left join key_only_issue_ids
        on changelog_items.instance = key_only_issue_ids.instance
        and changelog_items.item_key = key_only_issue_ids.item_key
    where changelog_items.issue_id is null
)

select * from identified
