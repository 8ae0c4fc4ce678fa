{#-
    jira_changelog_items_with_issue_id(): raw.jira_changelog_items as a subquery, with issue_id filled in
    for changelog pages that address their issue by key only (the id comes from any landed snapshot of
    that issue). The one place that rule lives: stg_jira__status_changes and stg_jira__changelog_history_counts
    both read the changelog through it.
-#}
{% macro jira_changelog_items_with_issue_id() -%}
    (
        -- most items name their issue id: they pass straight through, only key-only pages are joined
        select
            items.instance,
            items.issue_id as issue_id,
            items.issue_key,
            items.history_id,
            items.history_created,
            items.item_position,
            items.field,
            items.from_string,
            items.to_string,
            items.from_value,
            items.to_value,
            items.origin,
            items._source_file,
            items._file_hash,
            items._record_position,
            items._landed_at
        from {{ source('jira', 'jira_changelog_items') }} as items
        where items.issue_id is not null
        union all
        select
            items.instance,
            issue_ids.issue_id as issue_id,
            items.issue_key,
            items.history_id,
            items.history_created,
            items.item_position,
            items.field,
            items.from_string,
            items.to_string,
            items.from_value,
            items.to_value,
            items.origin,
            items._source_file,
            items._file_hash,
            items._record_position,
            items._landed_at
        from {{ source('jira', 'jira_changelog_items') }} as items
        left join (
            select distinct
                instance,
                issue_id,
                issue_key
            from {{ source('jira', 'jira_issues') }}
        ) as issue_ids
            on items.instance = issue_ids.instance
            and items.issue_key = issue_ids.issue_key
        where items.issue_id is null
    )
{%- endmacro %}
