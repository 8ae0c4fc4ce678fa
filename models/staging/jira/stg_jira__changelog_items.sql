{#- A view, 1:1 with raw.jira_changelog_items: every landed copy of every changelog item (an overlapping
    export or a changelog page lands the same history again). Changelog pages may address their issue by
    key only: issue_id is null there (int_jira__changelog_items finds it). -#}
with

changelog_items as (select * from {{ source('jira', 'jira_changelog_items') }}),

final as (
    select
        instance,
        issue_id,
        issue_key as item_key,
        history_id,
        item_position,
        -- one status item per history in practice; a second one gets its own id so it is not lost
        case when item_position = 1 then history_id else history_id || '.' || cast(item_position as {{ dbt.type_string() }}) end
            as change_id,
        {{ to_utc_timestamp('history_created') }} as changed_at,
        field,
        from_string,
        to_string,
        from_value,
        to_value,
        origin,
        _source_file,
        _file_hash,
        _record_position,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at
    from changelog_items
)

select * from final
