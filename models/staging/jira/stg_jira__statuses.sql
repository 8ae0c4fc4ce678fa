with

statuses as (select * from {{ source('jira', 'jira_statuses') }}),

ranked as (
    select
        instance,
        status_id,
        status_name,
        lower(status_category_key) as status_category,
        row_number() over (partition by instance, status_id order by _landed_at desc, _source_file desc) as snapshot_rank
    from statuses
),

final as (
    select
        instance,
        status_id,
        status_name,
        status_category
    from ranked
    where snapshot_rank = 1
)

select * from final
