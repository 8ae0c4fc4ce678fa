{#-
    One row per value stream x source x instance x status an item's timeline can hold (its changes'
    to-statuses, its first change's from-status, its current status), with what
    the status means for flow:
      1. a status_mappings row for this stream (value_stream_id set) wins,
      2. else the all-streams row (value_stream_id empty),
      3. else the tracker's status category: new -> new, indeterminate -> active, done -> done
         (is_status_mapped false; listed in fct_data_quality),
      4. else (no category known either) active, like an in-between status (also unmapped).
    Status names match ignoring case and surrounding spaces.
-#}
with

-- two filtered import CTEs of the same table: DuckDB would materialise one CTE read twice, every change
-- (docs/adr/0013-one-filtered-import-per-reader.md)
placed_status_changes as (
    select
        work_item_id,
        to_status
    from {{ ref('int_status_changes_unioned') }}
    where change_sequence is not null
),

first_status_changes as (
    select
        work_item_id,
        from_status
    from {{ ref('int_status_changes_unioned') }}
    where change_sequence = 1
        and from_status is not null
),

work_items as (select * from {{ ref('int_work_items_mapped') }}),

jira_statuses as (select * from {{ ref('stg_jira__statuses') }}),

status_mappings as (select * from {{ ref('status_mappings') }}),

dated_items as (
    select
        work_item_id,
        source,
        instance,
        snapshot_status
    from work_items
    where created_at is not null
),

-- the statuses int_status_intervals can give an item: the to-status of each placed change, and at
-- creation the first change's from-status, else the current status
timeline_statuses as (
    select
        work_item_id,
        to_status as status
    from placed_status_changes
    union all
    select
        work_item_id,
        from_status as status
    from first_status_changes
),

observed_statuses as (
    select distinct
        dated_items.source,
        dated_items.instance,
        timeline_statuses.status
    from timeline_statuses
    inner join dated_items
        on timeline_statuses.work_item_id = dated_items.work_item_id
    union
    -- the current status stands at creation for an item without changes (a superset otherwise: harmless,
    -- every row here is a status the tracker uses)
    select
        source,
        instance,
        coalesce(snapshot_status, '(none)') as status
    from dated_items
),

streams_in_use as (
    select distinct
        value_stream_id,
        source,
        instance
    from work_items
),

-- what each tracker says a status's category is: Jira's status list first, then items' current status
status_categories as (
    select
        'jira' as source,
        instance,
        lower(trim(status_name)) as status_key,
        lower(status_category) as status_category,
        1 as evidence_rank
    from jira_statuses
    union all
    select
        source,
        instance,
        lower(trim(snapshot_status)) as status_key,
        snapshot_status_category as status_category,
        2 as evidence_rank
    from work_items
    where snapshot_status_category is not null
),

ranked_status_categories as (
    select
        source,
        instance,
        status_key,
        status_category,
        row_number() over (
            partition by source, instance, status_key
            order by min(evidence_rank), count(*) desc, status_category
        ) as category_rank
    from status_categories
    group by source, instance, status_key, status_category
),

mapping_rows as (
    select
        source,
        lower(trim(status)) as status_key,
        nullif(trim(value_stream_id), '') as value_stream_id,
        lower(trim(flow_state)) as flow_state,
        nullif(trim(stage), '') as stage
    from status_mappings
),

candidates as (
    select
        streams_in_use.value_stream_id,
        observed_statuses.source,
        observed_statuses.instance,
        observed_statuses.status,
        lower(trim(observed_statuses.status)) as status_key
    from observed_statuses
    inner join streams_in_use
        on observed_statuses.source = streams_in_use.source
        and observed_statuses.instance = streams_in_use.instance
),

matched as (
    select
        candidates.value_stream_id,
        candidates.source,
        candidates.instance,
        candidates.status,
        mapping_rows.flow_state,
        mapping_rows.stage,
        row_number() over (
            partition by candidates.value_stream_id, candidates.source, candidates.instance, candidates.status
            order by
                case when mapping_rows.value_stream_id is not null then 0 else 1 end,
                case when mapping_rows.source = '*' then 1 else 0 end,
                mapping_rows.flow_state,
                mapping_rows.stage
        ) as match_rank
    from candidates
    inner join mapping_rows
        on candidates.status_key = mapping_rows.status_key
        and (mapping_rows.source = '*' or candidates.source = mapping_rows.source)
        and (mapping_rows.value_stream_id is null or candidates.value_stream_id = mapping_rows.value_stream_id)
),

final as (
    select
        candidates.value_stream_id,
        candidates.source,
        candidates.instance,
        candidates.status,
        ranked_status_categories.status_category,
        coalesce(
            matched.flow_state,
            case ranked_status_categories.status_category
                when 'new' then 'new'
                when 'indeterminate' then 'active'
                when 'done' then 'done'
            end,
            'active'
        ) as flow_state,
        coalesce(matched.stage, candidates.status, 'unknown') as stage,
        matched.flow_state is not null as is_status_mapped,
        case
            when matched.flow_state is not null then 'status_mappings'
            when ranked_status_categories.status_category in ('new', 'indeterminate', 'done') then 'status_category'
            else 'default_active'
        end as mapped_by
    from candidates
    left join matched
        on candidates.value_stream_id = matched.value_stream_id
        and candidates.source = matched.source
        and candidates.instance = matched.instance
        and candidates.status = matched.status
        and matched.match_rank = 1
    left join ranked_status_categories
        on candidates.source = ranked_status_categories.source
        and candidates.instance = ranked_status_categories.instance
        and candidates.status_key = ranked_status_categories.status_key
        and ranked_status_categories.category_rank = 1
)

select * from final
