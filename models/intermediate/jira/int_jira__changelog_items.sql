{{ config(materialized='view') }}
{#-
    One row per landed copy of a Jira changelog item, with issue_id filled in for changelog pages that
    address their issue by key only (the id comes from any landed snapshot of that key). Most items name their id and
    pass straight through; only key-only items are joined, to the snapshots of the keys they use (an inner
    join to a short list costs a fraction of listing the ids of every issue, and this view is evaluated by
    each of its readers). Each import reads the staging view once with its own filter: a CTE read twice
    would be materialised with every changelog item (docs/adr/0013-one-filtered-import-per-reader.md).
-#}
with

identified_items as (
    select *
    from {{ ref('stg_jira__changelog_items') }}
    where issue_id is not null
),

key_only_items as (
    select *
    from {{ ref('stg_jira__changelog_items') }}
    where issue_id is null
),

key_only_issues as (
    select distinct
        instance,
        item_key
    from {{ ref('stg_jira__changelog_items') }}
    where issue_id is null
),

issue_snapshots as (select * from {{ ref('stg_jira__issue_snapshots') }}),

key_only_issue_ids as (
    select distinct
        issue_snapshots.instance,
        issue_snapshots.item_key,
        issue_snapshots.issue_id
    from issue_snapshots
    inner join key_only_issues
        on issue_snapshots.instance = key_only_issues.instance
        and issue_snapshots.item_key = key_only_issues.item_key
),

identified as (
    select * from identified_items
    union all
    select
        key_only_items.instance,
        key_only_issue_ids.issue_id,
        key_only_items.item_key,
        key_only_items.history_id,
        key_only_items.item_position,
        key_only_items.change_id,
        key_only_items.changed_at,
        key_only_items.field,
        key_only_items.from_string,
        key_only_items.to_string,
        key_only_items.from_value,
        key_only_items.to_value,
        key_only_items.origin,
        key_only_items._source_file,
        key_only_items._file_hash,
        key_only_items._record_position,
        key_only_items._landed_at
    from key_only_items
    left join key_only_issue_ids
        on key_only_items.instance = key_only_issue_ids.instance
        and key_only_items.item_key = key_only_issue_ids.item_key
)

select * from identified
