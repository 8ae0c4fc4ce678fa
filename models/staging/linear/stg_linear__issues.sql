{#-
    One row per Linear issue - the newest snapshot (Updated, then latest landing) of the CSV export.
    instance = the workspace given at landing (--instance). current_status is Linear's own status name
    (Todo, In Review, ...); its category comes from the export's timestamps: Completed or Canceled ->
    done, Started -> indeterminate, else new. Linear has no item types: tracker_item_type is 'Issue' and
    labels (Bug, Security, ...) decide the flow item type. Team is the project_key; Linear's Project is
    kept in components so stream rules can match it.
-#}
with

issues as (select * from {{ source('linear', 'linear_issues') }}),

renamed as (
    select
        'linear:' || workspace || ':' || id as work_item_id,
        'linear' as source,
        workspace as instance,
        id as item_key,
        title,
        'Issue' as tracker_item_type,
        team as project_key,
        case when nullif(trim(project), '') is not null then '|' || trim(project) || '|' end as components,
        {{ delimited_list('labels', ',') }} as labels,
        nullif(trim(parent_issue), '') as parent_key,
        status as current_status,
        assignee,
        priority,
        estimate,
        cycle_name,
        {{ to_utc_timestamp('created') }} as created_at,
        {{ to_utc_timestamp('updated') }} as updated_at,
        {{ to_utc_timestamp('triaged') }} as triaged_at,
        {{ to_utc_timestamp('started') }} as started_at,
        {{ to_utc_timestamp('completed') }} as completed_at,
        {{ to_utc_timestamp('canceled') }} as canceled_at,
        {{ to_utc_timestamp('archived') }} as archived_at,
        _source_file,
        cast(_landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        _record_position
    from issues
),

ranked as (
    select
        *,
        row_number() over (
            partition by instance, item_key
            order by updated_at desc nulls last, _landed_at desc, _source_file desc, _record_position desc
        ) as snapshot_rank
    from renamed
),

final as (
    select
        work_item_id,
        source,
        instance,
        item_key,
        cast(null as {{ dbt.type_string() }}) as source_item_id,
        title,
        tracker_item_type,
        cast(null as boolean) as is_subtask,
        project_key,
        cast(null as {{ dbt.type_string() }}) as project_name,
        components,
        labels,
        cast(null as {{ dbt.type_string() }}) as area_path,
        parent_key,
        current_status,
        case
            when canceled_at is not null or completed_at is not null then 'done'
            when started_at is not null then 'indeterminate'
            else 'new'
        end as current_status_category,
        case
            when canceled_at is not null then 'Canceled'
            when completed_at is not null then 'Completed'
        end as resolution,
        coalesce(canceled_at, completed_at) as resolved_at,
        created_at,
        updated_at,
        triaged_at,
        started_at,
        completed_at,
        canceled_at,
        archived_at,
        assignee,
        priority,
        estimate,
        cycle_name,
        _source_file,
        -- the export carries the whole status history (or it is rebuilt from it): nothing to count
        cast(null as integer) as history_expected_count,
        cast(null as integer) as history_landed_count,
        _landed_at
    from ranked
    where snapshot_rank = 1
)

select * from final
