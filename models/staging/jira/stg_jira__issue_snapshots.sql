{#- A view, 1:1 with raw.jira_issues: every landed snapshot of every issue, with the columns that identify it
    and its changelog's size (stg_jira__issues keeps the newest snapshot of each issue with every column).
    Reading the source directly, not stg_jira__issues, lets the models that look issues up by key or by
    changelog size run beside the build of stg_jira__issues. -#}
with

issues as (select * from {{ source('jira', 'jira_issues') }}),

final as (
    select
        instance,
        issue_id,
        issue_key as item_key,
        changelog_total,
        embedded_history_count,
        _file_hash,
        _record_position,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at
    from issues
)

select * from final
