{{ config(materialized=flowmart.replay_materialization()) }}
{#-
    One row per synthetic status change of a GitLab issue, replayed from its resource label events
    (state labels of the label_states seed, e.g. workflow::in dev) and resource state events (closed,
    reopened) with macros/staging_label_statuses.sql. Events reach their issue by resource_id = the
    issue's global id. Label and state events have separate id sequences: change ids are 'label:<id>' and
    'state:<id>', and within one second label events replay before state events.
    A closed issue without a landed closing event gets one change at closed_at (change_id 'closed_at').
-#}
with

issues as (select * from {{ ref('int_gitlab__work_items') }}),

state_events as (select * from {{ ref('stg_gitlab__resource_state_events') }}),

label_events as (select * from {{ ref('stg_gitlab__resource_label_events') }}),

label_states as (
    select * from {{ ref('label_states') }}
    where source = 'gitlab'
),

lifecycle_events as (
    select
        issues.work_item_id,
        'label:' || label_events.event_id as event_id,
        cast(null as {{ api.Column.translate_type('bigint') }}) as event_number,
        label_events.event_at,
        case label_events.action when 'add' then 'label_added' else 'label_removed' end as event_kind,
        label_events.label_name,
        cast(null as {{ dbt.type_string() }}) as assignee,
        cast(null as {{ dbt.type_string() }}) as close_reason,
        label_events._landed_at
    from label_events
    inner join issues
        on label_events.resource_id = issues.source_item_id
    where lower(coalesce(label_events.resource_type, 'issue')) = 'issue'
        and label_events.event_at is not null
    union all
    select
        issues.work_item_id,
        'state:' || state_events.event_id as event_id,
        cast(null as {{ api.Column.translate_type('bigint') }}) as event_number,
        state_events.event_at,
        state_events.state as event_kind,
        cast(null as {{ dbt.type_string() }}) as label_name,
        cast(null as {{ dbt.type_string() }}) as assignee,
        cast(null as {{ dbt.type_string() }}) as close_reason,
        state_events._landed_at
    from state_events
    inner join issues
        on state_events.resource_id = issues.source_item_id
    where lower(coalesce(state_events.resource_type, 'issue')) = 'issue'
        and state_events.state in ('closed', 'reopened')
        and state_events.event_at is not null
),

event_changes as (
    select * from {{ synthetic_status_changes('lifecycle_events', 'label_states', closed_status="'closed'") }} as replayed
),

snapshot_closures as (
    -- closed, but the closing event is not among the landed events
    select * from {{ closures_without_event('event_changes', 'issues') }} as closures
),

all_changes as (
    select
        work_item_id,
        change_id,
        changed_at,
        from_status,
        to_status
    from event_changes
    union all
    select
        work_item_id,
        change_id,
        changed_at,
        from_status,
        to_status
    from snapshot_closures
),

item_landings as (
    select
        work_item_id,
        max(_landed_at) as _landed_at
    from (
        select
            work_item_id,
            _landed_at
        from lifecycle_events
        union all
        select
            work_item_id,
            _landed_at
        from issues
    ) as landings
    group by work_item_id
),

final as (
    select
        all_changes.work_item_id,
        'gitlab' as source,
        issues.instance,
        issues.item_key,
        all_changes.change_id,
        all_changes.changed_at,
        all_changes.from_status,
        all_changes.to_status,
        1 as copies_landed,
        item_landings._landed_at
    from all_changes
    inner join issues
        on all_changes.work_item_id = issues.work_item_id
    inner join item_landings
        on all_changes.work_item_id = item_landings.work_item_id
)

select * from final
