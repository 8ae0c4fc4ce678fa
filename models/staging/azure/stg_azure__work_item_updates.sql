{#-
    One row per Azure Boards work item update (revision), deduplicated by (organization, work item, rev)
    across overlapping files. changed_at is the update's System.ChangedDate (its newValue); updates that do
    not carry it fall back to revisedDate unless that is the open-ended 9999-01-01.
-#}
with

updates as (select * from {{ source('azure', 'azure_work_item_updates') }}),

renamed as (
    select
        organization,
        work_item_id as item_key,
        update_id,
        {{ dbt.safe_cast('rev', api.Column.translate_type('integer')) }} as rev,
        coalesce(
            {{ to_utc_timestamp('changed_date') }},
            case when revised_date not like '9999%' then {{ to_utc_timestamp('revised_date') }} end
        ) as changed_at,
        state_old as from_state,
        state_new as to_state,
        revised_by,
        _source_file,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        _record_position
    from updates
),

ranked as (
    select
        *,
        row_number() over (
            partition by organization, item_key, coalesce(cast(rev as {{ dbt.type_string() }}), 'update:' || update_id)
            order by _landed_at desc, _source_file desc, _record_position desc
        ) as copy_rank
    from renamed
),

final as (
    select
        organization,
        item_key,
        update_id,
        rev,
        changed_at,
        from_state,
        to_state,
        revised_by,
        _source_file,
        _landed_at
    from ranked
    where copy_rank = 1
)

select * from final
