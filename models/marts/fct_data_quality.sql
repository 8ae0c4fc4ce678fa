{#-
    One row per source x value stream x check: how many items (or status changes, or landed raw rows) a
    data-quality rule caught, out of how many checked, with a few example values. Every check is present
    for every source and stream that has items, with zero when nothing was caught, so dashboards can trend it.
    quarantined_row counts the raw rows the input quality gate moved to raw.quarantine, per landing format
    (tracker), out of every row landed in that format; like the other checks that no item carries, it
    sits on the stream 'unassigned'.
-#}
with

work_items as (select * from {{ ref('fct_work_items') }}),

status_changes as (select * from {{ ref('int_status_changes_unioned') }}),

status_intervals as (select * from {{ ref('int_status_intervals') }}),

orphaned_status_changes as (select * from {{ ref('int_jira__orphaned_status_changes') }}),

all_work_items as (select * from {{ ref('int_work_items_unioned') }}),

landed_rows as (select * from {{ ref('int_landed_rows_counted') }}),

checks as (
    {% set checks = [
        ('unmapped_status', 'work_items', 'Items that spent time in a status no status_mappings row covers (by id or name): its flow state came from the tracker status category, or is unknown where the tracker gives none (unknown_status).'),
        ('unknown_status', 'work_items', 'Items that spent time in a status no status_mappings row covers and the tracker gives no category for (e.g. a status deleted from its status list): flow state unknown, counted as neither started nor finished. Examples are the rows to add to seeds/status_mappings.csv, with the flow state and stage to fill in.'),
        ('unmapped_item_type', 'work_items', 'Items whose tracker item type matches no flow_item_types row (flow_item_type = unmapped).'),
        ('excluded_item', 'work_items', 'Items whose type flow_item_types marks exclude (not a flow item: epics, sub-tasks, ...): kept in fct_work_items and fct_status_intervals, left out of every flow metric.'),
        ('start_unknown', 'work_items', 'Items already active or waiting in their first known status where the tracker history does not show when (an event window, an incomplete changelog): in flow load, but no start, flow time, efficiency or age until a start is known.'),
        ('unassigned_item', 'work_items', 'Items that match no stream-assignment rule (value stream unassigned).'),
        ('done_without_start', 'work_items', 'Finished items never active or waiting: counted in velocity, not in flow time or efficiency.'),
        ('incomplete_history', 'work_items', 'Items whose tracker reports more changelog histories than were landed.'),
        ('duplicate_change_removed', 'status_changes', 'Extra copies of a status change (same item and change id) removed.'),
        ('change_before_creation_removed', 'status_changes', 'Status changes dated before the item was created, removed from the timeline.'),
        ('change_without_timestamp_removed', 'status_changes', 'Status changes without a readable time or target status, removed from the timeline.'),
        ('unchanged_status_removed', 'status_changes', 'Status changes whose from-status equals their to-status (up to case and spaces): no change, left off the timeline so they neither split an interval nor reset the time in a status.'),
        ('orphan_change', 'status_changes', 'Jira status changes whose issue was never landed, or was quarantined by the quality gate (not attributable to an item or stream).'),
        ('item_without_created_at', 'work_items', 'Items without a readable creation time, left out of every mart.'),
        ('quarantined_row', 'raw_rows', 'Landed raw rows the input quality gate moved to raw.quarantine (kept there with every failed check), out of all rows landed in this format.'),
    ] %}
    {% for check_name, unit, description in checks -%}
    select
        '{{ check_name }}' as check_name,
        '{{ unit }}' as checked_unit,
        '{{ description | replace("'", "''") }}' as check_description
    {{ 'union all' if not loop.last }}
    {% endfor %}
),

unmapped_statuses as (
    select distinct
        source,
        instance,
        value_stream_id,
        status,
        status_id,
        mapped_by
    from status_intervals
    where not is_status_mapped
),

item_checks as (
    select
        work_items.source,
        work_items.value_stream_id,
        count(*) as items_checked,
        -- the item's timeline passed through a status missing from status_mappings (fct_work_items)
        sum(case when work_items.has_unmapped_status then 1 else 0 end) as unmapped_status,
        sum(case when work_items.has_unknown_status then 1 else 0 end) as unknown_status,
        sum(case when work_items.flow_item_type = 'unmapped' then 1 else 0 end) as unmapped_item_type,
        sum(case when work_items.flow_item_type = 'excluded' then 1 else 0 end) as excluded_item,
        sum(case when work_items.is_start_unknown then 1 else 0 end) as start_unknown,
        sum(case when work_items.value_stream_id = 'unassigned' then 1 else 0 end) as unassigned_item,
        sum(case when work_items.is_done_without_start then 1 else 0 end) as done_without_start,
        sum(case when work_items.is_history_complete then 0 else 1 end) as incomplete_history
    from work_items
    group by work_items.source, work_items.value_stream_id
),

change_checks as (
    select
        work_items.source,
        work_items.value_stream_id,
        count(*) + sum(status_changes.duplicates_removed) as changes_checked,
        sum(status_changes.duplicates_removed) as duplicate_change_removed,
        sum(case when status_changes.removal_reason = 'before_creation' then 1 else 0 end) as change_before_creation_removed,
        sum(case when status_changes.removal_reason in ('no_timestamp', 'no_status') then 1 else 0 end)
            as change_without_timestamp_removed,
        sum(case when status_changes.removal_reason = 'unchanged_status' then 1 else 0 end) as unchanged_status_removed
    from status_changes
    inner join work_items
        on status_changes.work_item_id = work_items.work_item_id
    group by work_items.source, work_items.value_stream_id
),

orphan_changes as (
    select
        source,
        'unassigned' as value_stream_id,
        count(*) as orphan_change
    from orphaned_status_changes
    group by source
),

items_without_created_at as (
    select
        source,
        'unassigned' as value_stream_id,
        count(*) as item_without_created_at
    from all_work_items
    where created_at is null
    group by source
),

-- rows in quarantine, out of the rows landed, per landing format
quarantine_checks as (
    select
        landing_source as source,
        'unassigned' as value_stream_id,
        rows_quarantined as quarantined_row,
        rows_landed
    from landed_rows
),

source_streams as (
    select
        source,
        value_stream_id
    from item_checks
    union
    select
        source,
        value_stream_id
    from orphan_changes
    union
    select
        source,
        value_stream_id
    from items_without_created_at
    union
    select
        source,
        value_stream_id
    from quarantine_checks
    where quarantined_row > 0
),

measured as (
    select
        source_streams.source,
        source_streams.value_stream_id,
        checks.check_name,
        checks.checked_unit,
        checks.check_description,
        case checks.check_name
            when 'unmapped_status' then item_checks.unmapped_status
            when 'unknown_status' then item_checks.unknown_status
            when 'unmapped_item_type' then item_checks.unmapped_item_type
            when 'excluded_item' then item_checks.excluded_item
            when 'start_unknown' then item_checks.start_unknown
            when 'unassigned_item' then item_checks.unassigned_item
            when 'done_without_start' then item_checks.done_without_start
            when 'incomplete_history' then item_checks.incomplete_history
            when 'duplicate_change_removed' then change_checks.duplicate_change_removed
            when 'change_before_creation_removed' then change_checks.change_before_creation_removed
            when 'change_without_timestamp_removed' then change_checks.change_without_timestamp_removed
            when 'unchanged_status_removed' then change_checks.unchanged_status_removed
            when 'orphan_change' then orphan_changes.orphan_change
            when 'item_without_created_at' then items_without_created_at.item_without_created_at
            when 'quarantined_row' then quarantine_checks.quarantined_row
        end as affected_count,
        case checks.checked_unit
            when 'work_items' then item_checks.items_checked
            when 'raw_rows' then quarantine_checks.rows_landed
            else change_checks.changes_checked
        end as checked_count
    from source_streams
    cross join checks
    left join item_checks
        on source_streams.source = item_checks.source
        and source_streams.value_stream_id = item_checks.value_stream_id
    left join change_checks
        on source_streams.source = change_checks.source
        and source_streams.value_stream_id = change_checks.value_stream_id
    left join orphan_changes
        on source_streams.source = orphan_changes.source
        and source_streams.value_stream_id = orphan_changes.value_stream_id
    left join items_without_created_at
        on source_streams.source = items_without_created_at.source
        and source_streams.value_stream_id = items_without_created_at.value_stream_id
    left join quarantine_checks
        on source_streams.source = quarantine_checks.source
        and source_streams.value_stream_id = quarantine_checks.value_stream_id
),

unmapped_status_examples as (
    select
        source,
        value_stream_id,
        'unmapped_status' as check_name,
        {{ dbt.listagg('status_label', "', '", 'order by status_label') }} as example_values
    from (
        select distinct
            source,
            value_stream_id,
            -- the status id where the tracker has one: names can be shared and renamed, ids cannot
            case when status_id is not null then status || ' (id ' || status_id || ')' else status end as status_label
        from unmapped_statuses
    ) as labelled
    group by source, value_stream_id
),

-- the exact seeds/status_mappings.csv row to add (columns source, instance, status_id, status,
-- value_stream_id, flow_state, stage, note), the flow state and stage left for a person to fill in
unknown_status_examples as (
    select
        source,
        value_stream_id,
        'unknown_status' as check_name,
        {{ dbt.listagg('seed_row', "' | '", 'order by seed_row') }} as example_values
    from (
        select distinct
            source,
            value_stream_id,
            source || ',' || instance || ',' || coalesce(status_id, '') || ','
            || case when status like '%,%' then '"' || replace(status, '"', '""') || '"' else status end
            || ',,<flow_state>,<stage>,' as seed_row
        from unmapped_statuses
        where mapped_by = 'unknown'
    ) as rows_to_add
    group by source, value_stream_id
),

start_unknown_examples as (
    select
        source,
        value_stream_id,
        'start_unknown' as check_name,
        {{ dbt.listagg('item_key', "', '", 'order by item_key', 20) }} as example_values
    from work_items
    where is_start_unknown
    group by source, value_stream_id
),

unmapped_type_examples as (
    select
        source,
        value_stream_id,
        'unmapped_item_type' as check_name,
        {{ dbt.listagg('tracker_item_type', "', '", 'order by tracker_item_type') }} as example_values
    from (
        select distinct
            source,
            value_stream_id,
            coalesce(tracker_item_type, '(none)') as tracker_item_type
        from work_items
        where flow_item_type = 'unmapped'
    ) as unmapped_types
    group by source, value_stream_id
),

examples as (
    select * from unmapped_status_examples
    union all
    select * from unknown_status_examples
    union all
    select * from start_unknown_examples
    union all
    select * from unmapped_type_examples
),

final as (
    select
        measured.source,
        measured.value_stream_id,
        measured.check_name,
        measured.checked_unit,
        cast(coalesce(measured.affected_count, 0) as integer) as affected_count,
        cast(coalesce(measured.checked_count, 0) as integer) as checked_count,
        case
            when measured.checked_count > 0
                then 100.0 * coalesce(measured.affected_count, 0) / measured.checked_count
        end as affected_pct,
        examples.example_values,
        measured.check_description
    from measured
    left join examples
        on measured.source = examples.source
        and measured.value_stream_id = examples.value_stream_id
        and measured.check_name = examples.check_name
)

select * from final
