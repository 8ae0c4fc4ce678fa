{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='work_item_id',
        on_schema_change='append_new_columns'
    )
}}
{#-
    One row per work item per status interval over the item's whole known history (independent of
    var('as_of'); int_status_intervals_mapped applies the cut and the mappings).
      interval 0: the status at creation - the first change's from-status, else the current status -
                  entered at created_at;
      interval n: the to-status of the n-th change (ties in time ordered by change id), entered at
                  the change; every interval lasts until the next one; the last has exited_at null.
    Incremental like int_status_changes_unioned: only items with newly landed rows are rebuilt.
-#}
with

work_items as (select * from {{ ref('int_work_items_unioned') }}),

status_changes as (select * from {{ ref('int_status_changes_unioned') }}),

{% if is_incremental() %}
watermark as (
    select coalesce(max(_landed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) as landed_at
    from {{ this }}
),

items_to_process as (
    select work_item_id
    from work_items
    where _landed_at > (select landed_at from watermark)
    union
    select work_item_id
    from status_changes
    where _landed_at > (select landed_at from watermark)
),
{% endif %}

scoped_items as (
    select
        work_items.work_item_id,
        work_items.source,
        work_items.instance,
        work_items.current_status,
        work_items.created_at,
        work_items._landed_at
    from work_items
    {% if is_incremental() %}
    inner join items_to_process
        on work_items.work_item_id = items_to_process.work_item_id
    {% endif %}
    where work_items.created_at is not null
),

valid_changes as (
    select status_changes.*
    from status_changes
    inner join scoped_items
        on status_changes.work_item_id = scoped_items.work_item_id
    where status_changes.change_sequence is not null
),

first_changes as (
    select
        work_item_id,
        from_status
    from valid_changes
    where change_sequence = 1
),

creation_intervals as (
    select
        scoped_items.work_item_id,
        scoped_items.source,
        scoped_items.instance,
        0 as interval_index,
        coalesce(first_changes.from_status, scoped_items.current_status, '(none)') as status,
        scoped_items.created_at as entered_at,
        cast(null as {{ dbt.type_string() }}) as change_id,
        scoped_items._landed_at
    from scoped_items
    left join first_changes
        on scoped_items.work_item_id = first_changes.work_item_id
),

change_intervals as (
    select
        valid_changes.work_item_id,
        scoped_items.source,
        scoped_items.instance,
        cast(valid_changes.change_sequence as integer) as interval_index,
        valid_changes.to_status as status,
        valid_changes.changed_at as entered_at,
        valid_changes.change_id,
        valid_changes._landed_at
    from valid_changes
    inner join scoped_items
        on valid_changes.work_item_id = scoped_items.work_item_id
),

intervals as (
    select * from creation_intervals
    union all
    select * from change_intervals
),

final as (
    select
        work_item_id,
        source,
        instance,
        interval_index,
        status,
        entered_at,
        lead(entered_at) over (partition by work_item_id order by interval_index) as exited_at,
        change_id,
        _landed_at
    from intervals
)

select * from final
