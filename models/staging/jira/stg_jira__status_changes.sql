{{ config(materialized='table') }}
{#- A table, not a view: two models and its tests read it, and at 1M items re-reading the raw changelog
    each time costs more than storing it once (docs/decisions.md). Only the columns models read are
    stored: writing a 5M-row table costs about as much as computing it, so the source name, the status ids,
    the origin and the source file stay in raw.jira_changelog_items (docs/decisions.md, performance, third round). -#}
with

-- changelog pages may address their issue by key only: the macro finds its id from any landed snapshot
changelog_items as (select * from {{ jira_changelog_items_with_issue_id() }} as items),

status_items as (
    select
        instance,
        issue_id,
        issue_key,
        history_id,
        item_position,
        history_created,
        from_string,
        to_string,
        _source_file,
        _landed_at
    from changelog_items
    where field = 'status'
),

deduplicated as (
    -- the same history arrives in every overlapping export and in changelog pages: keep the newest copy
    -- and count the copies (an item known only by key is partitioned by its key)
    select *
    from {{ first_copies(
        'status_items',
        ['instance', 'issue_id', 'case when issue_id is null then issue_key end', 'history_id', 'item_position'],
        '_landed_at desc, _source_file desc'
    ) }} as copies
),

final as (
    select
        instance,
        issue_id,
        issue_key as item_key,
        -- one status item per history in practice; a second one gets its own id so it is not lost
        case when item_position = 1 then history_id else history_id || '.' || cast(item_position as {{ dbt.type_string() }}) end
            as change_id,
        {{ to_utc_timestamp('history_created') }} as changed_at,
        from_string as from_status,
        to_string as to_status,
        _copies as copies_landed,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at
    from deduplicated
)

select * from final
