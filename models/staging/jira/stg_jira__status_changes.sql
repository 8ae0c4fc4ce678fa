{#- A view, 1:1 with the status items of raw.jira_changelog_items: every landed copy of a change is here
    (an overlapping export or a changelog page lands the same history again). int_status_changes_unioned
    keeps one copy per (item, change) in the same pass that orders each item's changes, and counts the
    others; storing a deduplicated copy here first cost a 5M-row table write and a second dedup pass at
    1M items (docs/decisions.md, performance, third round). -#}
with

-- the status items; changelog pages may address their issue by key only: the macro finds its id from any
-- landed snapshot
changelog_items as (select * from {{ jira_changelog_items_with_issue_id(field='status') }} as items),

final as (
    select
        'jira' as source,
        instance,
        issue_id,
        issue_key as item_key,
        -- one status item per history in practice; a second one gets its own id so it is not lost
        case when item_position = 1 then history_id else history_id || '.' || cast(item_position as {{ dbt.type_string() }}) end
            as change_id,
        {{ to_utc_timestamp('history_created') }} as changed_at,
        from_string as from_status,
        to_string as to_status,
        from_value as from_status_id,
        to_value as to_status_id,
        origin,
        _source_file,
        _file_hash,
        _record_position,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at
    from changelog_items
)

select * from final
