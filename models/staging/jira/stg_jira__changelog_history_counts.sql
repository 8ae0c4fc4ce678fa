{{ config(materialized='table') }}
{#- One row per landed Jira issue: its histories counted once, straight from the raw changelog. Its one
    reader (int_work_items_unioned) only needs the count, and a per-history model (9M rows at 1M items)
    cost more to test for uniqueness than to build (docs/decisions.md, performance, third round). -#}
-- How many distinct changelog histories (of any field) landed per issue, from embedded changelogs and
-- changelog pages: compared with Jira's changelog total to tell whether an issue's history is complete.
with

-- changelog pages may address their issue by key only: the macro finds its id from any landed snapshot
changelog_items as (select * from {{ jira_changelog_items_with_issue_id() }} as items),

-- one row per history: every copy of it (overlapping exports, changelog pages) and every item of it
histories as (
    select
        instance,
        issue_id,
        history_id
    from changelog_items
    -- histories of an issue that was never landed cannot be compared with anything
    -- (fct_data_quality counts their status changes as orphan changes)
    where issue_id is not null
    group by
        instance,
        issue_id,
        history_id
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
