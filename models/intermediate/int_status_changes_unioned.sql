{{
    config(
        materialized='incremental',
        incremental_strategy=flowmart.item_rewrite_strategy(),
        unique_key='work_item_id',
        on_schema_change='fail'
    )
}}
{#-
    One row per status change per work item, all sources, deduplicated by (work_item_id, change_id).
    The whole history is kept, independent of var('as_of') (the cut is applied downstream in
    int_status_intervals), so moving as_of never invalidates this incremental table.
    Changes that cannot be placed on the item's timeline, or change nothing (from = to), stay here with a
    removal_reason
    (counted by fct_data_quality) and get no change_sequence. Placed changes also carry the time of the
    next placed change (next_changed_at) and the to-status of the one before (previous_to_status).
    Incremental: only items with a staging row (item snapshot or change) landed after the newest
    _landed_at already here are reprocessed, and all their changes are rewritten (delete+insert); on Spark
    (no row-level delete on Parquet) every item is, and the table is overwritten (macros/portable/incremental.sql).
-#}
{%- set trackers = flowmart.trackers() -%}
with

{% for tracker, models in trackers.items() %}
{{ tracker }}_status_changes as (select * from {{ ref(models.status_changes) }}),

{% endfor %}
work_items as (select * from {{ ref('int_work_items_unioned') }}),

{% if flowmart.is_incremental_by_item() %}
watermark as (
    select coalesce(max(_landed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) as landed_at
    from {{ this }}
),

items_to_process as (
    select work_items.work_item_id
    from work_items
    where work_items._landed_at > (select landed_at from watermark)
    {%- for tracker in trackers %}
    union
    select {{ tracker }}_status_changes.work_item_id
    from {{ tracker }}_status_changes
    where {{ tracker }}_status_changes._landed_at > (select landed_at from watermark)
    {%- endfor %}
),
{% endif %}

unioned as (
    {%- for tracker in trackers %}
    select
        work_item_id,
        cast(change_id as {{ dbt.type_string() }}) as change_id,
        changed_at,
        from_status,
        to_status,
        {% if trackers[tracker].get('ids', false) -%}
        cast(from_status_id as {{ dbt.type_string() }}) as from_status_id,
        cast(to_status_id as {{ dbt.type_string() }}) as to_status_id,
        {%- else -%}
        cast(null as {{ dbt.type_string() }}) as from_status_id,
        cast(null as {{ dbt.type_string() }}) as to_status_id,
        {%- endif %}
        copies_landed,
        _landed_at
    from {{ tracker }}_status_changes
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

scoped as (
    select unioned.*
    from unioned
    {% if flowmart.is_incremental_by_item() %}
    inner join items_to_process
        on unioned.work_item_id = items_to_process.work_item_id
    {% endif %}
),

deduplicated as (
    -- one copy per (item, change): the same change landed again (overlapping Jira exports, changelog
    -- pages) or from two sources; duplicates_removed counts the copies removed here plus those a tracker's
    -- model removed before (copies_landed)
    select
        work_item_id,
        change_id,
        changed_at,
        from_status,
        to_status,
        from_status_id,
        to_status_id,
        _landed_at,
        _copies - 1 as duplicates_removed
    from {{ first_copies(
        'scoped',
        ['work_item_id', 'change_id'],
        '_landed_at desc, changed_at desc, to_status',
        copy_weight='coalesce(copies_landed, 1)'
    ) }} as copies
),

classified as (
    select
        deduplicated.work_item_id,
        deduplicated.change_id,
        -- ties in time are ordered by change id: numerically when the ids are numbers (Jira), else as text
        {{ dbt.safe_cast('deduplicated.change_id', api.Column.translate_type('bigint')) }} as change_id_number,
        deduplicated.changed_at,
        deduplicated.from_status,
        deduplicated.to_status,
        deduplicated.from_status_id,
        deduplicated.to_status_id,
        deduplicated.duplicates_removed,
        case
            when deduplicated.changed_at is null then 'no_timestamp'
            when deduplicated.to_status is null then 'no_status'
            -- a change whose from equals its to (up to case and spaces) changes nothing: it must not split
            -- the status's interval or reset the time spent in it
            -- (by id where the tracker gives ids: a status renamed between two changes is still one status)
            when deduplicated.from_status_id = deduplicated.to_status_id then 'unchanged_status'
            when deduplicated.from_status_id is null
                and lower(trim(deduplicated.from_status)) = lower(trim(deduplicated.to_status)) then 'unchanged_status'
            when deduplicated.changed_at < work_items.created_at then 'before_creation'
        end as removal_reason,
        case
            when work_items._landed_at > deduplicated._landed_at then work_items._landed_at
            else deduplicated._landed_at
        end as _landed_at
    from deduplicated
    inner join work_items
        on deduplicated.work_item_id = work_items.work_item_id
),

sequenced as (
    -- the item's timeline: one sort serves the sequence number, the next change (when this status ends)
    -- and the status before (what the change left), so int_status_intervals needs no window of its own
    select
        work_item_id,
        change_id,
        changed_at,
        from_status,
        to_status,
        from_status_id,
        to_status_id,
        case
            when removal_reason is null
                then row_number() over timeline
        end as change_sequence,
        case when removal_reason is null then lead(changed_at) over timeline end as next_changed_at,
        case when removal_reason is null then lag(to_status) over timeline end as previous_to_status,
        case when removal_reason is null then lag(to_status_id) over timeline end as previous_to_status_id,
        removal_reason,
        duplicates_removed,
        _landed_at
    from classified
    window timeline as (
        partition by {{ flowmart.window_partition_key('work_item_id') }}, removal_reason is null
        order by changed_at, change_id_number, change_id
    )
)

select * from sequenced
