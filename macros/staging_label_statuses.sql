{#-
    Label-driven trackers (GitHub, GitLab) have no workflow status: Flowmart derives a synthetic one.

    synthetic_status_changes(events, label_states, closed_status, assignment_status=none):
    a subquery of one row per status change, replaying each item's lifecycle events in order.

      events        relation/CTE with work_item_id, event_id (text), event_number (number or null),
                    event_at, event_kind (label_added | label_removed | assigned | unassigned | closed | reopened),
                    label_name, assignee, close_reason
      label_states  relation/CTE with label, status, precedence (one tracker's rows of the label_states seed)
      closed_status SQL expression over `closure.close_reason` giving the status of a closed item
      assignment_status  status of an open item with an assignee and no state label (none = assignment ignored)

    After each event the status is: closed_status when the last closed/reopened event is `closed`; else the
    status of the highest-precedence state label on the item; else assignment_status when someone is
    assigned; else 'open'. A change is an event after which the status differs from the one before
    ('open' before the first event). Events in the same second are ordered by event number, then id, so
    a page listing them out of order does not matter. Unlisted labels never change the status.

    Output columns: work_item_id, change_id, changed_at, from_status, to_status, change_sequence.
-#}
{% macro synthetic_status_changes(events, label_states, closed_status, assignment_status=none) -%}
    (
        with

        sequenced as (
            select
                work_item_id,
                event_id,
                event_at,
                event_kind,
                label_name,
                assignee,
                close_reason,
                row_number() over (
                    partition by work_item_id
                    order by event_at, event_number, event_id
                ) as event_sequence
            from {{ events }}
        ),

        label_toggles as (
            -- each state-label event holds until the next event of the same label on the item
            select
                sequenced.work_item_id,
                sequenced.event_sequence,
                sequenced.event_kind = 'label_added' as is_on,
                state_labels.status,
                state_labels.precedence,
                coalesce(
                    lead(sequenced.event_sequence) over (
                        partition by sequenced.work_item_id, lower(trim(sequenced.label_name))
                        order by sequenced.event_sequence
                    ),
                    2147483647
                ) as until_sequence
            from sequenced
            inner join {{ label_states }} as state_labels
                on lower(trim(sequenced.label_name)) = lower(trim(state_labels.label))
            where sequenced.event_kind in ('label_added', 'label_removed')
        ),

        label_statuses as (
            select
                sequenced.work_item_id,
                sequenced.event_sequence,
                label_toggles.status,
                row_number() over (
                    partition by sequenced.work_item_id, sequenced.event_sequence
                    order by label_toggles.precedence desc, label_toggles.status
                ) as precedence_rank
            from sequenced
            inner join label_toggles
                on sequenced.work_item_id = label_toggles.work_item_id
                and label_toggles.event_sequence <= sequenced.event_sequence
                and sequenced.event_sequence < label_toggles.until_sequence
            where label_toggles.is_on
        ),

        assignee_toggles as (
            select
                work_item_id,
                event_sequence,
                event_kind = 'assigned' as is_on,
                coalesce(
                    lead(event_sequence) over (
                        partition by work_item_id, assignee
                        order by event_sequence
                    ),
                    2147483647
                ) as until_sequence
            from sequenced
            where event_kind in ('assigned', 'unassigned')
        ),

        assignments as (
            select
                sequenced.work_item_id,
                sequenced.event_sequence,
                count(*) as assignee_count
            from sequenced
            inner join assignee_toggles
                on sequenced.work_item_id = assignee_toggles.work_item_id
                and assignee_toggles.event_sequence <= sequenced.event_sequence
                and sequenced.event_sequence < assignee_toggles.until_sequence
            where assignee_toggles.is_on
            group by sequenced.work_item_id, sequenced.event_sequence
        ),

        closures as (
            select
                sequenced.work_item_id,
                sequenced.event_sequence,
                state_events.event_kind,
                state_events.close_reason,
                row_number() over (
                    partition by sequenced.work_item_id, sequenced.event_sequence
                    order by state_events.event_sequence desc
                ) as recency_rank
            from sequenced
            inner join sequenced as state_events
                on sequenced.work_item_id = state_events.work_item_id
                and state_events.event_sequence <= sequenced.event_sequence
            where state_events.event_kind in ('closed', 'reopened')
        ),

        statuses as (
            select
                sequenced.work_item_id,
                sequenced.event_id,
                sequenced.event_at,
                sequenced.event_sequence,
                case
                    when closure.event_kind = 'closed' then {{ closed_status }}
                    when label_statuses.status is not null then label_statuses.status
                    {%- if assignment_status %}
                    when assignments.assignee_count > 0 then '{{ assignment_status }}'
                    {%- endif %}
                    else 'open'
                end as status
            from sequenced
            left join closures as closure
                on sequenced.work_item_id = closure.work_item_id
                and sequenced.event_sequence = closure.event_sequence
                and closure.recency_rank = 1
            left join label_statuses
                on sequenced.work_item_id = label_statuses.work_item_id
                and sequenced.event_sequence = label_statuses.event_sequence
                and label_statuses.precedence_rank = 1
            left join assignments
                on sequenced.work_item_id = assignments.work_item_id
                and sequenced.event_sequence = assignments.event_sequence
        ),

        with_previous as (
            select
                *,
                coalesce(
                    lag(status) over (partition by work_item_id order by event_sequence),
                    'open'
                ) as from_status
            from statuses
        )

        select
            work_item_id,
            event_id as change_id,
            event_at as changed_at,
            from_status,
            status as to_status,
            row_number() over (partition by work_item_id order by event_sequence) as change_sequence
        from with_previous
        where status <> from_status
    )
{%- endmacro %}

{#-
    snapshot_label_status(labels_column, label_states): the status of the highest-precedence state label
    among an item's current labels ('|a|b|' form), or null when it carries none - the same rule as above,
    applied to a snapshot (current_status). A correlated scalar subquery over label_states.
-#}
{% macro snapshot_label_status(labels_column, label_states) -%}
    (
        select state_labels.status
        from {{ label_states }} as state_labels
        where lower({{ labels_column }}) like {{ flowmart.like_pattern("'%|' || lower(trim(state_labels.label)) || '|%'") }}
        order by state_labels.precedence desc, state_labels.status
        limit 1
    )
{%- endmacro %}

{#-
    closures_without_event(event_changes, issues): a subquery of one change per closed item whose closing
    event was not landed (the issue snapshot says closed, the replayed events do not): from the last
    replayed status (or 'open') to the snapshot's status at its resolved_at. change_id 'closed_at'.

      event_changes  output of synthetic_status_changes (work_item_id, changed_at, to_status, change_sequence)
      issues         the tracker's staging items (work_item_id, current_status, current_status_category, resolved_at)
-#}
{% macro closures_without_event(event_changes, issues) -%}
    (
        with

        last_changes as (
            select
                work_item_id,
                to_status,
                changed_at,
                row_number() over (partition by work_item_id order by change_sequence desc) as recency_rank
            from {{ event_changes }}
        )

        select
            {{ issues }}.work_item_id,
            'closed_at' as change_id,
            {{ issues }}.resolved_at as changed_at,
            coalesce(last_changes.to_status, 'open') as from_status,
            {{ issues }}.current_status as to_status
        from {{ issues }}
        left join last_changes
            on {{ issues }}.work_item_id = last_changes.work_item_id
            and last_changes.recency_rank = 1
        where {{ issues }}.current_status_category = 'done'
            and {{ issues }}.resolved_at is not null
            and coalesce(last_changes.to_status, 'open') <> {{ issues }}.current_status
            and (last_changes.changed_at is null or last_changes.changed_at <= {{ issues }}.resolved_at)
    )
{%- endmacro %}
