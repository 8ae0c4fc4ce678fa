{{ config(materialized='view') }}
{#-
    One row per work item per status interval over the item's whole known history (independent of
    var('as_of'); fct_status_intervals applies the cut and the mappings).
      interval 0: the status at creation - the first change's from-status, else the current status -
                  entered at created_at, until the first change;
      interval n: the to-status of the n-th change (ties in time ordered by change id), entered at
                  the change, until the next one; the last has exited_at null.
    previous_status is the status of the interval before (null for interval 0).
    A view: int_status_changes_unioned (incremental) already ordered each item's changes and carries the
    next change's time and the status before, so this is a union and a join - no window, nothing to
    store twice (docs/decisions.md, performance).
-#}
with

work_items as (select * from {{ ref('int_work_items_unioned') }}),

status_changes as (select * from {{ ref('int_status_changes_unioned') }}),

dated_items as (
    select
        work_item_id,
        source,
        instance,
        current_status,
        created_at
    from work_items
    where created_at is not null
),

placed_changes as (
    select
        work_item_id,
        change_id,
        change_sequence,
        changed_at,
        next_changed_at,
        from_status,
        to_status,
        previous_to_status
    from status_changes
    where change_sequence is not null
),

first_changes as (
    select
        work_item_id,
        from_status,
        changed_at
    from placed_changes
    where change_sequence = 1
),

creation_intervals as (
    select
        dated_items.work_item_id,
        dated_items.source,
        dated_items.instance,
        0 as interval_index,
        coalesce(first_changes.from_status, dated_items.current_status, '(none)') as status,
        cast(null as {{ dbt.type_string() }}) as previous_status,
        dated_items.created_at as entered_at,
        first_changes.changed_at as exited_at,
        cast(null as {{ dbt.type_string() }}) as change_id
    from dated_items
    left join first_changes
        on dated_items.work_item_id = first_changes.work_item_id
),

change_intervals as (
    select
        placed_changes.work_item_id,
        dated_items.source,
        dated_items.instance,
        cast(placed_changes.change_sequence as integer) as interval_index,
        placed_changes.to_status as status,
        case
            -- the change's own from-status is the creation status (see creation_intervals)
            when placed_changes.change_sequence = 1
                then coalesce(placed_changes.from_status, dated_items.current_status, '(none)')
            else placed_changes.previous_to_status
        end as previous_status,
        placed_changes.changed_at as entered_at,
        placed_changes.next_changed_at as exited_at,
        placed_changes.change_id
    from placed_changes
    inner join dated_items
        on placed_changes.work_item_id = dated_items.work_item_id
),

final as (
    select * from creation_intervals
    union all
    select * from change_intervals
)

select * from final
