{#-
    jira_changelog_items_with_issue_id(field=none): raw.jira_changelog_items as a subquery, with issue_id
    filled in for changelog pages that address their issue by key only (the id comes from any landed
    snapshot of that issue). The one place that rule lives: stg_jira__status_changes and
    stg_jira__changelog_history_counts both read the changelog through it.
    field: only the items of that field (e.g. 'status'); none for every item.
-#}
{% macro jira_changelog_items_with_issue_id(field=none) -%}
    {%- set field_filter = "and items.field = '" ~ field ~ "'" if field else "" %}
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
            {{ field_filter }}
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
            -- the snapshots of the keys key-only items use: looking up only those (an inner join to a
            -- short list) costs a fraction of listing the ids of every landed issue, and this subquery
            -- is evaluated by each reader and data test of the views built on it
            select distinct
                snapshots.instance,
                snapshots.issue_id,
                snapshots.issue_key
            from {{ source('jira', 'jira_issues') }} as snapshots
            inner join (
                select distinct
                    items.instance,
                    items.issue_key
                from {{ source('jira', 'jira_changelog_items') }} as items
                where items.issue_id is null
                    {{ field_filter }}
            ) as key_only_issues
                on snapshots.instance = key_only_issues.instance
                and snapshots.issue_key = key_only_issues.issue_key
        ) as issue_ids
            on items.instance = issue_ids.instance
            and items.issue_key = issue_ids.issue_key
        where items.issue_id is null
            {{ field_filter }}
    )
{%- endmacro %}
