{#- A view (the staging default): its one reader, int_work_items_unioned, only counts histories per issue,
    so storing 9M history rows at 1M items cost more than the aggregation itself (docs/decisions.md,
    performance). -#}
-- One row per changelog history (any field), across snapshots and changelog pages: counted against
-- Jira's changelog total to tell whether an issue's history is complete.
with

changelog_items as (select * from {{ jira_changelog_items_with_issue_id() }} as items),

final as (
    -- one aggregation straight over the raw items (not distinct, then group by): one hash table instead
    -- of two at 10M+ rows; min() over every copy equals min() over the distinct copies
    select
        instance,
        issue_id,
        history_id,
        min({{ to_utc_timestamp('history_created') }}) as created_at
    from changelog_items
    group by
        instance,
        issue_id,
        history_id
)

select * from final
