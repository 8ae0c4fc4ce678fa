{{ config(materialized='table') }}
{#-
    One row per Jira issue whose landed snapshots carried a truncated changelog: how many distinct
    changelog histories (of any field) landed for it, from embedded changelogs and changelog pages,
    compared with Jira's changelog total to tell whether the issue's history is complete. An issue whose
    snapshot embeds its whole changelog is complete without counting, so only the truncated ones (a small
    share of issues) are counted, which spares grouping every history row on each build.
-#}
with

changelog_items as (select * from {{ ref('int_jira__changelog_items') }}),

issue_snapshots as (select * from {{ ref('stg_jira__issue_snapshots') }}),

truncated_issues as (
    select distinct
        instance,
        issue_id
    from issue_snapshots
    where changelog_total > embedded_history_count
),

-- one row per history: every copy of it and every item of it count once
histories as (
    select
        changelog_items.instance,
        changelog_items.issue_id,
        changelog_items.history_id
    from changelog_items
    inner join truncated_issues
        on changelog_items.instance = truncated_issues.instance
        and changelog_items.issue_id = truncated_issues.issue_id
    group by
        changelog_items.instance,
        changelog_items.issue_id,
        changelog_items.history_id
),

final as (
    select
        instance,
        issue_id,
        count(*) as history_landed_count
    from histories
    group by
        instance,
        issue_id
)

select * from final
