{{ config(materialized='view') }}
{#-
    One row per status change of a Linear issue, rebuilt from the export's timestamps (the CSV carries no
    history). Statuses are Linear's workflow state types: an issue is 'triage' from creation until Triaged
    (when set), else 'unstarted'; 'started' at Started; 'completed' at Completed; 'canceled' at Canceled.
    change_id names the timestamp (triaged, started, completed, canceled). Intermediate statuses (e.g.
    In Review) and reopenings are not in the export and cannot be rebuilt.
-#}
with

issues as (select * from {{ ref('stg_linear__issues') }}),

milestones as (
    select
        work_item_id,
        'triaged' as change_id,
        1 as milestone_order,
        triaged_at as changed_at,
        'unstarted' as to_status
    from issues
    where triaged_at is not null
    union all
    select
        work_item_id,
        'started' as change_id,
        2 as milestone_order,
        started_at as changed_at,
        'started' as to_status
    from issues
    where started_at is not null
    union all
    select
        work_item_id,
        'completed' as change_id,
        3 as milestone_order,
        completed_at as changed_at,
        'completed' as to_status
    from issues
    where completed_at is not null and (canceled_at is null or completed_at >= canceled_at)
    union all
    select
        work_item_id,
        'canceled' as change_id,
        3 as milestone_order,
        canceled_at as changed_at,
        'canceled' as to_status
    from issues
    where canceled_at is not null and (completed_at is null or canceled_at > completed_at)
),

sequenced as (
    select
        milestones.work_item_id,
        issues.instance,
        issues.item_key,
        milestones.change_id,
        milestones.changed_at,
        coalesce(
            lag(milestones.to_status) over (
                partition by milestones.work_item_id
                order by milestones.changed_at, milestones.milestone_order
            ),
            case when issues.triaged_at is not null then 'triage' else 'unstarted' end
        ) as from_status,
        milestones.to_status,
        issues._source_file,
        issues._landed_at
    from milestones
    inner join issues
        on milestones.work_item_id = issues.work_item_id
),

final as (
    select
        work_item_id,
        'linear' as source,
        instance,
        item_key,
        change_id,
        changed_at,
        from_status,
        to_status,
        1 as copies_landed,
        _source_file,
        _landed_at
    from sequenced
)

select * from final
