{{ config(materialized='table') }}
{#- A table, not a view: besides int_work_items_unioned, its data tests would re-aggregate the whole raw
    changelog (10M+ rows at 1M items) once each (docs/decisions.md, performance). -#}
-- One row per changelog history (any field), across snapshots and changelog pages: counted against
-- Jira's changelog total to tell whether an issue's history is complete.
with

changelog_items as (select * from {{ source('jira', 'jira_changelog_items') }}),

issue_ids as (
    select distinct
        instance,
        issue_id,
        issue_key
    from {{ source('jira', 'jira_issues') }}
),

final as (
    -- one aggregation straight over the raw items (not distinct, then group by): one hash table instead
    -- of two at 10M+ rows; min() over every copy equals min() over the distinct copies
    select
        changelog_items.instance,
        coalesce(changelog_items.issue_id, issue_ids.issue_id) as issue_id,
        changelog_items.history_id,
        min({{ to_utc_timestamp('changelog_items.history_created') }}) as created_at
    from changelog_items
    left join issue_ids
        on changelog_items.issue_id is null
        and changelog_items.instance = issue_ids.instance
        and changelog_items.issue_key = issue_ids.issue_key
    group by
        changelog_items.instance,
        coalesce(changelog_items.issue_id, issue_ids.issue_id),
        changelog_items.history_id
)

select * from final
