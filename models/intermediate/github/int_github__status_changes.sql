{{ config(materialized=flowmart.replay_materialization()) }}
{#-
    One row per synthetic status change of a GitHub issue, replayed from its events
    (macros/staging_label_statuses.sql): state labels of the label_states seed, assignment (when
    var github_assignment_starts_work, default true), closed (state_reason completed / not_planned) and
    reopened. Events of issues that were never landed are ignored.
    A closed issue whose closing event was not landed (event pages reach back only so far) gets one
    change at its closed_at, change_id 'closed_at', so it never looks done since creation.
    _landed_at is the newest landing of anything the item's history is derived from, so incremental
    models downstream rebuild the whole item when one more event page lands.
-#}
with

issues as (select * from {{ ref('int_github__work_items') }}),

events as (select * from {{ ref('stg_github__issue_events') }}),

label_states as (
    select * from {{ ref('label_states') }}
    where source = 'github'
),

lifecycle_events as (
    select
        events.work_item_id,
        events.event_id,
        events.event_number,
        events.event_at,
        case events.event
            when 'labeled' then 'label_added'
            when 'unlabeled' then 'label_removed'
            else events.event
        end as event_kind,
        events.label_name,
        events.assignee_login as assignee,
        events.state_reason as close_reason,
        events._landed_at
    from events
    inner join issues
        on events.work_item_id = issues.work_item_id
    where events.event in ('labeled', 'unlabeled', 'assigned', 'unassigned', 'closed', 'reopened')
        and events.event_at is not null
),

event_changes as (
    select * from {{ synthetic_status_changes(
        'lifecycle_events',
        'label_states',
        closed_status="case when closure.close_reason in ('not_planned', 'duplicate') then 'closed (not planned)' else 'closed (completed)' end",
        assignment_status=('in progress' if var('github_assignment_starts_work', true) else none)
    ) }} as replayed
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
        'github' as source,
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
