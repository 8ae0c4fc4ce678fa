{#-
    One row per work item per status interval as of var('as_of'), with the item's stream and flow item
    type and each status's flow state and stage:
      - interval 0 is the status at creation - the first change's from-status, else the item's current
        status - entered at created_at, until the first change; interval n is the to-status of the
        n-th change (int_status_changes_unioned ordered them: ties in time by change id), entered at
        the change, until the next one;
      - intervals entered after as_of are dropped; one still running at as_of is open (exited_at null);
      - done + a canceled resolution -> canceled: the item's resolution is only known for its final
        state, so it turns the final run of done intervals (in the full history) into canceled;
      - previous_flow_state is the flow state of the interval before (null for the status at creation);
      - statuses are matched by name and id (int_statuses_mapped); flow_state 'unknown' is a status no
        mapping row covers and the tracker gives no category for;
      - is_entry_observed is false for the status at creation where the tracker's history may not reach
        back to it (GitHub and GitLab event windows, an incomplete Jira changelog): such an interval that is
        active or waiting leaves the item's start unknown (int_work_item_lifecycles).
    The one place intervals are built and stored: int_work_item_lifecycles and the marts read it, and the
    mart fct_status_intervals shows it (docs/adr/0011-intervals-stored-once.md).
-#}
with

-- int_status_changes_unioned has three import CTEs, each with only the rows and columns its reader needs:
-- DuckDB materialises a CTE that two later CTEs read (every change, spilling past the memory limit on
-- big warehouses), where another filtered scan of the stored table costs almost nothing
-- (docs/adr/0013-one-filtered-import-per-reader.md). first_status_changes (one narrow row per item) is
-- the one read twice.
placed_status_changes as (
    -- changes placed on the item's timeline (the others carry a removal_reason and count in fct_data_quality)
    select
        work_item_id,
        change_id,
        change_sequence,
        changed_at,
        next_changed_at,
        from_status,
        to_status,
        from_status_id,
        to_status_id,
        previous_to_status,
        previous_to_status_id
    from {{ ref('int_status_changes_unioned') }}
    where change_sequence is not null
),

first_status_changes as (
    select
        work_item_id,
        from_status,
        from_status_id,
        changed_at
    from {{ ref('int_status_changes_unioned') }}
    where change_sequence = 1
),

canceling_item_status_changes as (
    select
        work_item_id,
        change_sequence,
        to_status,
        to_status_id
    from {{ ref('int_status_changes_unioned') }}
    where change_sequence is not null
),

work_items as (select * from {{ ref('int_work_items_mapped') }}),

statuses as (select * from {{ ref('int_statuses_mapped') }}),

dated_items as (
    select
        work_item_id,
        value_stream_id,
        flow_item_type,
        source,
        instance,
        snapshot_status,
        snapshot_status_id,
        created_at,
        has_canceled_resolution,
        -- the status at creation is known to have held since creation only where the tracker's history
        -- reaches back that far and all of it landed (else an item first seen active has its start unknown)
        {%- set windowed = flowmart.trackers_without_full_history() %}
        is_history_complete
        {%- if windowed %} and source not in ('{{ windowed | join("', '") }}'){% endif %} as is_creation_status_known
    from work_items
    where created_at is not null
),

creation_intervals as (
    select
        dated_items.work_item_id,
        dated_items.value_stream_id,
        dated_items.flow_item_type,
        dated_items.source,
        dated_items.instance,
        dated_items.has_canceled_resolution,
        0 as interval_index,
        coalesce(first_status_changes.from_status, dated_items.snapshot_status, '(none)') as status,
        case
            when first_status_changes.from_status is not null then first_status_changes.from_status_id
            else dated_items.snapshot_status_id
        end as status_id,
        cast(null as {{ dbt.type_string() }}) as previous_status,
        cast(null as {{ dbt.type_string() }}) as previous_status_id,
        dated_items.created_at as entered_at,
        first_status_changes.changed_at as exited_at,
        cast(null as {{ dbt.type_string() }}) as change_id,
        dated_items.is_creation_status_known as is_entry_observed
    from dated_items
    left join first_status_changes
        on dated_items.work_item_id = first_status_changes.work_item_id
),

change_intervals as (
    select
        placed_status_changes.work_item_id,
        dated_items.value_stream_id,
        dated_items.flow_item_type,
        dated_items.source,
        dated_items.instance,
        dated_items.has_canceled_resolution,
        cast(placed_status_changes.change_sequence as integer) as interval_index,
        placed_status_changes.to_status as status,
        placed_status_changes.to_status_id as status_id,
        case
            -- the change's own from-status is the creation status (see creation_intervals)
            when placed_status_changes.change_sequence = 1
                then coalesce(placed_status_changes.from_status, dated_items.snapshot_status, '(none)')
            else placed_status_changes.previous_to_status
        end as previous_status,
        case
            when placed_status_changes.change_sequence = 1 and placed_status_changes.from_status is not null
                then placed_status_changes.from_status_id
            when placed_status_changes.change_sequence = 1 then dated_items.snapshot_status_id
            else placed_status_changes.previous_to_status_id
        end as previous_status_id,
        placed_status_changes.changed_at as entered_at,
        placed_status_changes.next_changed_at as exited_at,
        placed_status_changes.change_id,
        true as is_entry_observed
    from placed_status_changes
    inner join dated_items
        on placed_status_changes.work_item_id = dated_items.work_item_id
),

status_intervals as (
    select * from creation_intervals
    union all
    select * from change_intervals
),

mapped as (
    select
        status_intervals.work_item_id,
        status_intervals.value_stream_id,
        status_intervals.flow_item_type,
        status_intervals.source,
        status_intervals.instance,
        status_intervals.interval_index,
        status_intervals.status,
        status_intervals.status_id,
        statuses.flow_state as mapped_flow_state,
        previous_statuses.flow_state as previous_mapped_flow_state,
        statuses.stage,
        statuses.stage_order,
        statuses.is_status_mapped,
        statuses.mapped_by,
        status_intervals.entered_at,
        status_intervals.exited_at,
        status_intervals.change_id,
        status_intervals.is_entry_observed,
        status_intervals.has_canceled_resolution
    from status_intervals
    inner join statuses
        on status_intervals.value_stream_id = statuses.value_stream_id
        and status_intervals.source = statuses.source
        and status_intervals.instance = statuses.instance
        and status_intervals.status = statuses.status
        and coalesce(status_intervals.status_id, '') = coalesce(statuses.status_id, '')
    left join statuses as previous_statuses
        on status_intervals.value_stream_id = previous_statuses.value_stream_id
        and status_intervals.source = previous_statuses.source
        and status_intervals.instance = previous_statuses.instance
        and status_intervals.previous_status = previous_statuses.status
        and coalesce(status_intervals.previous_status_id, '') = coalesce(previous_statuses.status_id, '')
),

-- The canceled-resolution rule needs, per item whose resolution cancels it, the index of its last
-- interval that is not done. Those items' statuses (a few percent of items) are mapped again here rather
-- than read from `mapped`: a second reader of `mapped` would make DuckDB materialise every mapped interval.
canceling_items as (
    select
        work_item_id,
        value_stream_id,
        source,
        instance,
        snapshot_status,
        snapshot_status_id
    from dated_items
    where has_canceled_resolution
),

canceling_item_statuses as (
    select
        canceling_items.work_item_id,
        canceling_items.value_stream_id,
        canceling_items.source,
        canceling_items.instance,
        cast(canceling_item_status_changes.change_sequence as integer) as interval_index,
        canceling_item_status_changes.to_status as status,
        canceling_item_status_changes.to_status_id as status_id
    from canceling_item_status_changes
    inner join canceling_items
        on canceling_item_status_changes.work_item_id = canceling_items.work_item_id
    union all
    select
        canceling_items.work_item_id,
        canceling_items.value_stream_id,
        canceling_items.source,
        canceling_items.instance,
        0 as interval_index,
        -- the status at creation, as in creation_intervals
        coalesce(first_status_changes.from_status, canceling_items.snapshot_status, '(none)') as status,
        case
            when first_status_changes.from_status is not null then first_status_changes.from_status_id
            else canceling_items.snapshot_status_id
        end as status_id
    from canceling_items
    left join first_status_changes
        on canceling_items.work_item_id = first_status_changes.work_item_id
),

final_done_runs as (
    select
        canceling_item_statuses.work_item_id,
        max(case when statuses.flow_state <> 'done' then canceling_item_statuses.interval_index end)
            as last_not_done_index
    from canceling_item_statuses
    inner join statuses
        on canceling_item_statuses.value_stream_id = statuses.value_stream_id
        and canceling_item_statuses.source = statuses.source
        and canceling_item_statuses.instance = statuses.instance
        and canceling_item_statuses.status = statuses.status
        and coalesce(canceling_item_statuses.status_id, '') = coalesce(statuses.status_id, '')
    group by canceling_item_statuses.work_item_id
),

resolved as (
    select
        mapped.*,
        case
            when mapped.mapped_flow_state = 'done'
                and mapped.has_canceled_resolution
                and mapped.interval_index > coalesce(final_done_runs.last_not_done_index, -1)
                then 'canceled'
            else mapped.mapped_flow_state
        end as flow_state,
        case
            when mapped.previous_mapped_flow_state = 'done'
                and mapped.has_canceled_resolution
                and mapped.interval_index - 1 > coalesce(final_done_runs.last_not_done_index, -1)
                then 'canceled'
            else mapped.previous_mapped_flow_state
        end as previous_flow_state
    from mapped
    left join final_done_runs
        on mapped.work_item_id = final_done_runs.work_item_id
),

cut_at_as_of as (
    select
        work_item_id,
        interval_index,
        value_stream_id,
        flow_item_type,
        source,
        instance,
        status,
        status_id,
        flow_state,
        stage,
        stage_order,
        previous_flow_state,
        entered_at,
        case when exited_at <= {{ flowmart.as_of_timestamp() }} then exited_at end as exited_at,
        exited_at is null or exited_at > {{ flowmart.as_of_timestamp() }} as is_current,
        is_status_mapped,
        mapped_by,
        is_entry_observed,
        change_id
    from resolved
    where entered_at <= {{ flowmart.as_of_timestamp() }}
),

final as (
    select
        work_item_id,
        interval_index,
        value_stream_id,
        flow_item_type,
        source,
        instance,
        status,
        status_id,
        flow_state,
        stage,
        stage_order,
        previous_flow_state,
        entered_at,
        exited_at,
        {{ flowmart.days_between('entered_at', 'coalesce(exited_at, ' ~ flowmart.as_of_timestamp() ~ ')') }} as duration_days,
        is_current,
        is_status_mapped,
        mapped_by,
        is_entry_observed,
        change_id
    from cut_at_as_of
)

select * from final
