{#-
    One row per value stream x source x instance x status (name and id) an item's timeline can hold (its
    changes' to-statuses, its first change's from-status, its current status), with what the status means
    for flow (docs/adr/0061-statuses-mapped-by-id-unknown-never-active.md):
      1. the best status_mappings row that covers it, ranked: a row for this stream before an all-streams
         row (empty value_stream_id); then a row by status_id before a row by name; then a row for this
         instance before an every-instance row (empty or `*`); then a row for this source before `*`.
         A row with a status_id covers that id (whatever the status was called when); a row with only a
         name covers the name (ignoring case and surrounding spaces) under any id;
      2. else the tracker's own status category (Jira's status list, else the items' current status, else
         indeterminate for a state label's status of label_states):
         new -> new, indeterminate -> active, done -> done (is_status_mapped false, mapped_by
         'status_category'); evidence is matched by id where the tracker has ids - a deleted status's
         name is not taken for another status's;
      3. else 'unknown' (mapped_by 'unknown'): not started and not finished, like new. Never active.
    stage is the mapping row's stage (null when no row covers the status: a status is never shown as a
    stage); stage_order its place among the stream's configured stages (int_value_stream_stages; null
    when the stage is not configured for the stream).
-#}
with

-- two filtered import CTEs of the same table: DuckDB would materialise one CTE read twice, every change
-- (docs/adr/0013-one-filtered-import-per-reader.md)
placed_status_changes as (
    select
        work_item_id,
        to_status,
        to_status_id
    from {{ ref('int_status_changes_unioned') }}
    where change_sequence is not null
),

first_status_changes as (
    select
        work_item_id,
        from_status,
        from_status_id
    from {{ ref('int_status_changes_unioned') }}
    where change_sequence = 1
        and from_status is not null
),

work_items as (select * from {{ ref('int_work_items_mapped') }}),

jira_statuses as (select * from {{ ref('stg_jira__statuses') }}),

status_mappings as (select * from {{ ref('status_mappings') }}),

label_states as (select * from {{ ref('label_states') }}),

stream_stages as (select * from {{ ref('int_value_stream_stages') }}),

dated_items as (
    select
        work_item_id,
        source,
        instance,
        snapshot_status,
        snapshot_status_id
    from work_items
    where created_at is not null
),

-- the statuses int_status_intervals can give an item: the to-status of each placed change, and at
-- creation the first change's from-status, else the current status
timeline_statuses as (
    select
        work_item_id,
        to_status as status,
        to_status_id as status_id
    from placed_status_changes
    union all
    select
        work_item_id,
        from_status as status,
        from_status_id as status_id
    from first_status_changes
),

observed_statuses as (
    select distinct
        dated_items.source,
        dated_items.instance,
        timeline_statuses.status,
        timeline_statuses.status_id
    from timeline_statuses
    inner join dated_items
        on timeline_statuses.work_item_id = dated_items.work_item_id
    union
    -- the current status stands at creation for an item without changes (a superset otherwise: harmless,
    -- every row here is a status the tracker uses)
    select
        source,
        instance,
        coalesce(snapshot_status, '(none)') as status,
        snapshot_status_id as status_id
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
        status_id,
        lower(trim(status_name)) as status_key,
        lower(status_category) as status_category,
        1 as evidence_rank
    from jira_statuses
    union all
    select
        source,
        instance,
        snapshot_status_id as status_id,
        lower(trim(snapshot_status)) as status_key,
        snapshot_status_category as status_category,
        2 as evidence_rank
    from work_items
    where snapshot_status_category is not null
    union all
    -- a state label's status (label_states: GitHub, GitLab) is work under way, on every instance
    select distinct
        source,
        '*' as instance,
        cast(null as {{ dbt.type_string() }}) as status_id,
        lower(trim(status)) as status_key,
        'indeterminate' as status_category,
        3 as evidence_rank
    from label_states
),

candidates as (
    select
        streams_in_use.value_stream_id,
        observed_statuses.source,
        observed_statuses.instance,
        observed_statuses.status,
        observed_statuses.status_id,
        lower(trim(observed_statuses.status)) as status_key
    from observed_statuses
    inner join streams_in_use
        on observed_statuses.source = streams_in_use.source
        and observed_statuses.instance = streams_in_use.instance
),

candidate_statuses as (
    select distinct
        source,
        instance,
        status,
        status_id,
        status_key
    from candidates
),

-- by id where the status has one (a name may have belonged to another, since deleted, status), else by name
categorised as (
    select
        candidate_statuses.source,
        candidate_statuses.instance,
        candidate_statuses.status,
        candidate_statuses.status_id,
        status_categories.status_category,
        row_number() over (
            partition by
                candidate_statuses.source,
                candidate_statuses.instance,
                candidate_statuses.status,
                candidate_statuses.status_id
            order by status_categories.evidence_rank, status_categories.status_category
        ) as category_rank
    from candidate_statuses
    inner join status_categories
        on candidate_statuses.source = status_categories.source
        and (candidate_statuses.instance = status_categories.instance or status_categories.instance = '*')
        and (
            (candidate_statuses.status_id is not null and candidate_statuses.status_id = status_categories.status_id)
            or (candidate_statuses.status_id is null and candidate_statuses.status_key = status_categories.status_key)
        )
    where status_categories.status_category in ('new', 'indeterminate', 'done')
),

seed_rows as (
    select
        trim(source) as source,
        {{ flowmart.seed_instance(ref('status_mappings')) }} as instance,
        nullif(trim({{ flowmart.optional_seed_column(ref('status_mappings'), 'status_id') }}), '') as status_id,
        lower(trim(status)) as status_key,
        nullif(trim(value_stream_id), '') as value_stream_id,
        lower(trim(flow_state)) as flow_state,
        nullif(trim(stage), '') as stage
    from status_mappings
    -- `unknown` is a placeholder (`flowmart mappings draft` writes it for a status the tracker gives no
    -- category for): the row is there to be filled in, and covers nothing until it is
    where lower(trim(flow_state)) <> 'unknown'
),

-- each row's rank among the rows that cover a status (lower wins, in this order): a row for the stream,
-- a row by id, a row for the instance, a row for the source
mapping_rows as (
    select
        source,
        instance,
        status_id,
        status_key,
        value_stream_id,
        flow_state,
        stage,
        case when value_stream_id is not null then 0 else 1 end as stream_rank,
        case when status_id is not null then 0 else 1 end as id_rank,
        case when instance = '*' then 1 else 0 end as instance_rank,
        case when source = '*' then 1 else 0 end as source_rank
    from seed_rows
),

matched as (
    select
        candidates.value_stream_id,
        candidates.source,
        candidates.instance,
        candidates.status,
        candidates.status_id,
        mapping_rows.flow_state,
        mapping_rows.stage,
        mapping_rows.stream_rank,
        mapping_rows.id_rank,
        mapping_rows.instance_rank,
        mapping_rows.source_rank,
        row_number() over (
            partition by
                candidates.value_stream_id,
                candidates.source,
                candidates.instance,
                candidates.status,
                candidates.status_id
            order by
                mapping_rows.stream_rank,
                mapping_rows.id_rank,
                mapping_rows.instance_rank,
                mapping_rows.source_rank,
                mapping_rows.flow_state,
                mapping_rows.stage
        ) as match_rank
    from candidates
    inner join mapping_rows
        on (mapping_rows.source = '*' or candidates.source = mapping_rows.source)
        and (mapping_rows.instance = '*' or candidates.instance = mapping_rows.instance)
        and (mapping_rows.value_stream_id is null or candidates.value_stream_id = mapping_rows.value_stream_id)
        and (
            (mapping_rows.status_id is not null and candidates.status_id = mapping_rows.status_id)
            or (mapping_rows.status_id is null and candidates.status_key = mapping_rows.status_key)
        )
),

-- two or more rows of the same rank that disagree: the winner is decided by the tie-break, not by the seed
ambiguous as (
    select
        value_stream_id,
        source,
        instance,
        status,
        status_id
    from (
        select
            matched.*,
            dense_rank() over (
                partition by
                    matched.value_stream_id,
                    matched.source,
                    matched.instance,
                    matched.status,
                    matched.status_id
                order by matched.stream_rank, matched.id_rank, matched.instance_rank, matched.source_rank
            ) as precedence
        from matched
    ) as ranked
    where precedence = 1
    group by value_stream_id, source, instance, status, status_id
    having count(distinct flow_state || '|' || coalesce(stage, '')) > 1
),

final as (
    select
        candidates.value_stream_id,
        candidates.source,
        candidates.instance,
        candidates.status,
        candidates.status_id,
        -- the id as a key column ('' without one): the grain's key has no nulls
        coalesce(candidates.status_id, '') as status_id_key,
        categorised.status_category,
        coalesce(
            matched.flow_state,
            case categorised.status_category
                when 'new' then 'new'
                when 'indeterminate' then 'active'
                when 'done' then 'done'
            end,
            'unknown'
        ) as flow_state,
        matched.stage,
        stream_stages.stage_order,
        matched.flow_state is not null as is_status_mapped,
        ambiguous.status is not null as is_ambiguous,
        case
            when matched.flow_state is not null then 'status_mappings'
            when categorised.status_category is not null then 'status_category'
            else 'unknown'
        end as mapped_by
    from candidates
    left join matched
        on candidates.value_stream_id = matched.value_stream_id
        and candidates.source = matched.source
        and candidates.instance = matched.instance
        and candidates.status = matched.status
        and coalesce(candidates.status_id, '') = coalesce(matched.status_id, '')
        and matched.match_rank = 1
    left join categorised
        on candidates.source = categorised.source
        and candidates.instance = categorised.instance
        and candidates.status = categorised.status
        and coalesce(candidates.status_id, '') = coalesce(categorised.status_id, '')
        and categorised.category_rank = 1
    left join ambiguous
        on candidates.value_stream_id = ambiguous.value_stream_id
        and candidates.source = ambiguous.source
        and candidates.instance = ambiguous.instance
        and candidates.status = ambiguous.status
        and coalesce(candidates.status_id, '') = coalesce(ambiguous.status_id, '')
    left join stream_stages
        on candidates.value_stream_id = stream_stages.value_stream_id
        and matched.stage = stream_stages.stage
)

select * from final
