{{ config(materialized='table') }}
{#- Counts only where counting can change the answer: an issue whose snapshot embeds its whole changelog
    (embedded_history_count = changelog_total) is complete without counting, so only issues with a
    truncated embedded changelog are counted - about 1% of them at 1M items, which spares scanning and
    grouping 10M history rows on every build (docs/decisions.md, performance, third round). -#}
-- How many distinct changelog histories (of any field) landed per issue whose search snapshot carried a
-- truncated changelog, from embedded changelogs and changelog pages: compared with Jira's changelog
-- total to tell whether the issue's history is complete.
with

-- changelog pages may address their issue by key only: the macro finds its id from any landed snapshot
changelog_items as (select * from {{ jira_changelog_items_with_issue_id() }} as items),

issue_snapshots as (select * from {{ source('jira', 'jira_issues') }}),

-- issues any landed snapshot says have more histories than it embedded
truncated_issues as (
    select distinct
        instance,
        issue_id
    from issue_snapshots
    where changelog_total > embedded_history_count
),

-- one row per history: every copy of it (overlapping exports, changelog pages) and every item of it;
-- histories of an issue that was never landed cannot be compared with anything (fct_data_quality
-- counts their status changes as orphan changes)
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
