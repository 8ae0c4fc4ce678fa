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

histories as (
    select distinct
        changelog_items.instance,
        coalesce(changelog_items.issue_id, issue_ids.issue_id) as issue_id,
        changelog_items.history_id,
        changelog_items.history_created
    from changelog_items
    left join issue_ids
        on changelog_items.issue_id is null
        and changelog_items.instance = issue_ids.instance
        and changelog_items.issue_key = issue_ids.issue_key
),

final as (
    select
        instance,
        issue_id,
        history_id,
        min({{ to_utc_timestamp('history_created') }}) as created_at
    from histories
    group by instance, issue_id, history_id
)

select * from final
