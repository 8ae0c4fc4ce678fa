{#-
    One row per Azure Boards work item - the newest snapshot (greatest rev, then latest landing).
    instance = organization/project. current_status_category follows Azure's state categories for the
    states of the built-in processes (Basic, Agile, Scrum, CMMI): Proposed -> new; InProgress and
    Resolved -> indeterminate; Completed and Removed -> done. Custom states get null (status_mappings decides).
-#}
with

work_items as (select * from {{ source('azure', 'azure_work_items') }}),

renamed as (
    select
        'azure:' || organization || '/' || project || ':' || work_item_id as work_item_id,
        'azure' as source,
        organization || '/' || project as instance,
        organization,
        project,
        work_item_id as item_key,
        {{ dbt.safe_cast('rev', api.Column.translate_type('integer')) }} as rev,
        title,
        work_item_type as tracker_item_type,
        {{ delimited_list('tags') }} as labels,
        area_path,
        iteration_path,
        parent_id as parent_key,
        state as current_status,
        reason as state_reason,
        resolved_reason,
        {{ to_utc_timestamp('created_date') }} as created_at,
        {{ to_utc_timestamp('changed_date') }} as updated_at,
        {{ to_utc_timestamp('state_change_date') }} as state_changed_at,
        {{ to_utc_timestamp('closed_date') }} as closed_at,
        _source_file,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        _record_position
    from work_items
),

ranked as (
    select
        *,
        row_number() over (
            partition by organization, item_key
            order by rev desc nulls last, updated_at desc nulls last, _landed_at desc, _source_file desc, _record_position desc
        ) as snapshot_rank
    from renamed
),

categorised as (
    select
        *,
        case
            when lower(current_status) in ('new', 'to do', 'proposed', 'approved', 'design') then 'new'
            when lower(current_status) in ('active', 'committed', 'doing', 'in progress', 'resolved') then 'indeterminate'
            when lower(current_status) in ('closed', 'done', 'removed', 'completed') then 'done'
        end as current_status_category
    from ranked
    where snapshot_rank = 1
),

final as (
    select
        work_item_id,
        source,
        instance,
        organization,
        item_key,
        cast(item_key as {{ dbt.type_string() }}) as source_item_id,
        title,
        tracker_item_type,
        cast(null as boolean) as is_subtask,
        project as project_key,
        cast(null as {{ dbt.type_string() }}) as project_name,
        cast(null as {{ dbt.type_string() }}) as components,
        labels,
        area_path,
        iteration_path,
        parent_key,
        current_status,
        current_status_category,
        case
            when lower(current_status) = 'removed' then 'Removed'
            when current_status_category = 'done' then resolved_reason
        end as resolution,
        case when current_status_category = 'done' then coalesce(closed_at, state_changed_at) end as resolved_at,
        created_at,
        updated_at,
        rev,
        _source_file,
        -- the export carries the whole status history (or it is rebuilt from it): nothing to count
        cast(null as integer) as history_expected_count,
        cast(null as integer) as history_landed_count,
        _landed_at
    from categorised
)

select * from final
