{#-
    One row per work item created on or before as_of, with the mappings applied:
      value_stream_id  - the matching stream-assignment rule with the lowest priority, else 'unassigned'
                         (so each item is in exactly one stream and none is dropped);
      flow_item_type   - feature | defect | risk | debt from the type seed, 'excluded' where the seed says
                         `exclude` (not a flow item: counted in fct_data_quality, in no flow metric), else
                         'unmapped'. Rows rank: a row with a label the item carries before one without;
                         then a row by tracker_item_type_id before a row by name; then this instance before
                         every instance (empty or `*`); then this source before `*`;
      has_canceled_resolution - the resolution is listed in canceled_resolutions.
-#}
with

work_items as (select * from {{ ref('int_work_items_unioned') }}),

stream_assignment_rules as (select * from {{ ref('stream_assignment_rules') }}),

flow_item_types as (select * from {{ ref('flow_item_types') }}),

canceled_resolutions as (select * from {{ ref('canceled_resolutions') }}),

items_in_scope as (
    select *
    from work_items
    where created_at is not null
        and created_at <= {{ flowmart.as_of_timestamp() }}
),

-- an item and every rule it matches, in three branches. Exact project and area-path rules are equality
-- joins (a hash join: one probe per item whatever the number of rules); only patterns and list rules
-- (component, label) are tried against every item. Each rule is in one branch, so an (item, rule) pair is
-- found at most once.
{%- set exact_project -%}
    stream_assignment_rules.match_field = 'project' and stream_assignment_rules.match_type = 'exact'
    and items_in_scope.project_key = stream_assignment_rules.match_value
{%- endset %}
{%- set exact_area_path -%}
    stream_assignment_rules.match_field = 'area_path' and stream_assignment_rules.match_type = 'exact'
    and items_in_scope.area_path = stream_assignment_rules.match_value
{%- endset %}
{%- set patterns_and_lists -%}
    (
        stream_assignment_rules.match_field = 'project' and stream_assignment_rules.match_type = 'pattern'
        and items_in_scope.project_key like {{ flowmart.like_pattern('stream_assignment_rules.match_value') }}
    )
    or (
        stream_assignment_rules.match_field = 'area_path' and stream_assignment_rules.match_type = 'pattern'
        and items_in_scope.area_path like {{ flowmart.like_pattern('stream_assignment_rules.match_value') }}
    )
    -- lists ('|a|b|'): exact and pattern both match one whole element
    or (
        stream_assignment_rules.match_field = 'component'
        and {{ flowmart.pipe_list_contains('items_in_scope.components', 'stream_assignment_rules.match_value') }}
    )
    or (
        stream_assignment_rules.match_field = 'label'
        and {{ flowmart.pipe_list_contains('items_in_scope.labels', 'stream_assignment_rules.match_value') }}
    )
{%- endset %}
rule_matches as (
    {%- for rule_match in [exact_project, exact_area_path, patterns_and_lists] %}
    select
        items_in_scope.work_item_id,
        stream_assignment_rules.value_stream_id,
        stream_assignment_rules.priority
    from items_in_scope
    inner join stream_assignment_rules
        on (stream_assignment_rules.source = '*' or items_in_scope.source = stream_assignment_rules.source)
        and (stream_assignment_rules.instance = '*' or items_in_scope.instance = stream_assignment_rules.instance)
        and ({{ rule_match }})
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

-- the matching rule with the lowest priority (most items match one rule: first_copies)
assigned_streams as (
    select
        work_item_id,
        value_stream_id
    from {{ first_copies('rule_matches', ['work_item_id'], 'priority, value_stream_id') }} as matches
),

type_rules as (
    select
        trim(source) as source,
        {{ flowmart.seed_instance(ref('flow_item_types')) }} as instance,
        nullif(trim({{ flowmart.optional_seed_column(ref('flow_item_types'), 'tracker_item_type_id') }}), '')
            as tracker_item_type_id,
        lower(trim(tracker_item_type)) as tracker_item_type_key,
        lower(trim(nullif(trim(label), ''))) as label_key,
        case lower(trim(flow_item_type)) when 'exclude' then 'excluded' else lower(trim(flow_item_type)) end
            as flow_item_type
    from flow_item_types
),

-- an item and every type row it matches: rows with a type id by id, the others by name, both equality
-- joins (each row is in one branch, so an (item, row) pair is found at most once)
type_matches as (
    {%- set branches = [
        (0, 'items_in_scope.tracker_item_type_id', 'type_rules.tracker_item_type_id', 'not null'),
        (1, 'lower(trim(items_in_scope.tracker_item_type))', 'type_rules.tracker_item_type_key', 'null'),
    ] %}
    {%- for id_rank, item_column, rule_column, id_test in branches %}
    select
        items_in_scope.work_item_id,
        type_rules.flow_item_type,
        case when type_rules.label_key is not null then 0 else 1 end as label_rank,
        {{ id_rank }} as id_rank,
        case when type_rules.instance = '*' then 1 else 0 end as instance_rank,
        case when type_rules.source = '*' then 1 else 0 end as source_rank
    from items_in_scope
    inner join type_rules
        on {{ item_column }} = {{ rule_column }}
    where type_rules.tracker_item_type_id is {{ id_test }}
        and (type_rules.source = '*' or items_in_scope.source = type_rules.source)
        and (type_rules.instance = '*' or items_in_scope.instance = type_rules.instance)
        and (
            type_rules.label_key is null
            or {{ flowmart.pipe_list_contains('lower(items_in_scope.labels)', 'type_rules.label_key') }}
        )
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

-- a row with a label the item carries wins over the row without; a source's own row over '*'
mapped_types as (
    select
        work_item_id,
        flow_item_type
    from {{ first_copies('type_matches', ['work_item_id'], 'label_rank, id_rank, instance_rank, source_rank, flow_item_type') }} as matches
),

-- the item's stream and type as one narrow row, joined to the wide item rows once: two left joins of
-- item-sized results to the wide items make DuckDB's build of this model slow and uneven from run to run
item_mappings as (
    select
        coalesce(assigned_streams.work_item_id, mapped_types.work_item_id) as work_item_id,
        assigned_streams.value_stream_id,
        mapped_types.flow_item_type
    from assigned_streams
    full outer join mapped_types
        on assigned_streams.work_item_id = mapped_types.work_item_id
),

canceling_resolutions as (
    select distinct
        source,
        lower(trim(resolution)) as resolution_key
    from canceled_resolutions
),

final as (
    select
        items_in_scope.work_item_id,
        items_in_scope.source,
        items_in_scope.instance,
        items_in_scope.item_key,
        items_in_scope.source_item_id,
        items_in_scope.title,
        coalesce(item_mappings.value_stream_id, 'unassigned') as value_stream_id,
        coalesce(item_mappings.flow_item_type, 'unmapped') as flow_item_type,
        items_in_scope.tracker_item_type,
        items_in_scope.tracker_item_type_id,
        coalesce(item_mappings.flow_item_type, 'unmapped') <> 'excluded' as is_flow_item,
        items_in_scope.is_subtask,
        items_in_scope.project_key,
        items_in_scope.project_name,
        items_in_scope.components,
        items_in_scope.labels,
        items_in_scope.area_path,
        items_in_scope.parent_key,
        items_in_scope.resolution,
        items_in_scope.resolved_at,
        items_in_scope.created_at,
        items_in_scope.updated_at,
        items_in_scope.current_status as snapshot_status,
        items_in_scope.current_status_id as snapshot_status_id,
        items_in_scope.current_status_category as snapshot_status_category,
        items_in_scope.history_expected_count,
        items_in_scope.history_landed_count,
        items_in_scope.is_history_complete,
        item_mappings.value_stream_id is not null as is_stream_assigned,
        item_mappings.flow_item_type is not null as is_type_mapped,
        coalesce(any_source_cancels.resolution_key, own_source_cancels.resolution_key) is not null
            as has_canceled_resolution
    from items_in_scope
    left join item_mappings
        on items_in_scope.work_item_id = item_mappings.work_item_id
    -- canceling_resolutions is distinct per (source, resolution): each join finds at most one row
    left join canceling_resolutions as any_source_cancels
        on any_source_cancels.source = '*'
        and lower(trim(items_in_scope.resolution)) = any_source_cancels.resolution_key
    left join canceling_resolutions as own_source_cancels
        on items_in_scope.source = own_source_cancels.source
        and lower(trim(items_in_scope.resolution)) = own_source_cancels.resolution_key
)

select * from final
