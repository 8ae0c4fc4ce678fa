{{ config(materialized='view') }}
{#-
    One row per System.State change of an Azure Boards work item: updates whose fields hold System.State
    with an oldValue (the first revision only sets the initial state, which is the first change's
    from_status). Updates that change no state are not changes. Work item ids are unique per
    organization: the item (and its project) comes from stg_azure__work_items.
-#}
with

updates as (select * from {{ ref('stg_azure__work_item_updates') }}),

work_items as (select * from {{ ref('stg_azure__work_items') }}),

final as (
    select
        work_items.work_item_id,
        'azure' as source,
        work_items.instance,
        work_items.item_key,
        cast(coalesce(updates.rev, {{ dbt.safe_cast('updates.update_id', api.Column.translate_type('integer')) }}) as {{ dbt.type_string() }}) as change_id,
        updates.changed_at,
        updates.from_state as from_status,
        updates.to_state as to_status,
        1 as copies_landed,
        updates._source_file,
        updates._landed_at
    from updates
    inner join work_items
        on updates.organization = work_items.organization
        and updates.item_key = work_items.item_key
    where updates.to_state is not null
        and updates.from_state is not null
        and updates.from_state <> updates.to_state
)

select * from final
