{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='work_item_id',
        on_schema_change='append_new_columns'
    )
}}
{#-
    One row per status change per work item, all sources, deduplicated by (work_item_id, change_id).
    The whole history is kept, independent of var('as_of') (the cut is applied downstream in
    int_status_intervals_mapped), so moving as_of never invalidates this incremental table.
    Changes that cannot be placed on the item's timeline stay here with a removal_reason
    (counted by fct_data_quality) and get no change_sequence.
    Incremental: only items with a staging row (item snapshot or change) landed after the newest
    _landed_at already here are reprocessed, and all their changes are rewritten (delete+insert).
-#}
with

jira_issues as (select * from {{ ref('stg_jira__issues') }}),

jira_status_changes as (select * from {{ ref('stg_jira__status_changes') }}),

csv_status_changes as (select * from {{ ref('stg_csv__status_changes') }}),

github_status_changes as (select * from {{ ref('stg_github__status_changes') }}),

gitlab_status_changes as (select * from {{ ref('stg_gitlab__status_changes') }}),

azure_status_changes as (select * from {{ ref('stg_azure__status_changes') }}),

linear_status_changes as (select * from {{ ref('stg_linear__status_changes') }}),

work_items as (select * from {{ ref('int_work_items_unioned') }}),

{% if is_incremental() %}
watermark as (
    select coalesce(max(_landed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) as landed_at
    from {{ this }}
),

items_to_process as (
    select work_items.work_item_id
    from work_items
    where work_items._landed_at > (select landed_at from watermark)
    union
    select jira_issues.work_item_id
    from jira_status_changes
    inner join jira_issues
        on jira_status_changes.instance = jira_issues.instance
        and jira_status_changes.issue_id = jira_issues.issue_id
    where jira_status_changes._landed_at > (select landed_at from watermark)
    union
    select csv_status_changes.work_item_id
    from csv_status_changes
    where csv_status_changes._landed_at > (select landed_at from watermark)
    union
    select github_status_changes.work_item_id
    from github_status_changes
    where github_status_changes._landed_at > (select landed_at from watermark)
    union
    select gitlab_status_changes.work_item_id
    from gitlab_status_changes
    where gitlab_status_changes._landed_at > (select landed_at from watermark)
    union
    select azure_status_changes.work_item_id
    from azure_status_changes
    where azure_status_changes._landed_at > (select landed_at from watermark)
    union
    select linear_status_changes.work_item_id
    from linear_status_changes
    where linear_status_changes._landed_at > (select landed_at from watermark)
),
{% endif %}

-- changes by Jira issue id; the issue gives the stable work_item_id (source + instance + key)
jira_changes as (
    select
        jira_issues.work_item_id,
        cast(jira_status_changes.change_id as {{ dbt.type_string() }}) as change_id,
        jira_status_changes.changed_at,
        jira_status_changes.from_status,
        jira_status_changes.to_status,
        jira_status_changes.copies_landed,
        jira_status_changes._landed_at
    from jira_status_changes
    inner join jira_issues
        on jira_status_changes.instance = jira_issues.instance
        and jira_status_changes.issue_id = jira_issues.issue_id
),

csv_changes as (
    select
        work_item_id,
        cast(change_id as {{ dbt.type_string() }}) as change_id,
        changed_at,
        from_status,
        to_status,
        copies_landed,
        _landed_at
    from csv_status_changes
),

github_changes as (
    select
        work_item_id,
        cast(change_id as {{ dbt.type_string() }}) as change_id,
        changed_at,
        from_status,
        to_status,
        1 as copies_landed,  -- github staging keeps one copy of each change and does not count the others
        _landed_at
    from github_status_changes
),

gitlab_changes as (
    select
        work_item_id,
        cast(change_id as {{ dbt.type_string() }}) as change_id,
        changed_at,
        from_status,
        to_status,
        1 as copies_landed,  -- gitlab staging keeps one copy of each change and does not count the others
        _landed_at
    from gitlab_status_changes
),

azure_changes as (
    select
        work_item_id,
        cast(change_id as {{ dbt.type_string() }}) as change_id,
        changed_at,
        from_status,
        to_status,
        1 as copies_landed,  -- azure staging keeps one copy of each change and does not count the others
        _landed_at
    from azure_status_changes
),

linear_changes as (
    select
        work_item_id,
        cast(change_id as {{ dbt.type_string() }}) as change_id,
        changed_at,
        from_status,
        to_status,
        1 as copies_landed,  -- linear staging keeps one copy of each change and does not count the others
        _landed_at
    from linear_status_changes
),

unioned as (
    select * from jira_changes
    union all
    select * from csv_changes
    union all
    select * from github_changes
    union all
    select * from gitlab_changes
    union all
    select * from azure_changes
    union all
    select * from linear_changes
),

scoped as (
    select unioned.*
    from unioned
    {% if is_incremental() %}
    inner join items_to_process
        on unioned.work_item_id = items_to_process.work_item_id
    {% endif %}
),

deduplicated as (
    select
        work_item_id,
        change_id,
        changed_at,
        from_status,
        to_status,
        _landed_at,
        row_number() over (
            partition by work_item_id, change_id
            order by _landed_at desc, changed_at desc, to_status
        ) as copy_number,
        -- copies removed here (same change from two sources) plus those staging removed (overlapping exports);
        -- same partition and order as copy_number over the whole partition, so both come from one sort
        sum(coalesce(copies_landed, 1)) over (
            partition by work_item_id, change_id
            order by _landed_at desc, changed_at desc, to_status
            rows between unbounded preceding and unbounded following
        ) - 1 as duplicates_removed
    from scoped
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
        deduplicated.duplicates_removed,
        case
            when deduplicated.changed_at is null then 'no_timestamp'
            when deduplicated.to_status is null then 'no_status'
            when deduplicated.changed_at < work_items.created_at then 'before_creation'
        end as removal_reason,
        case
            when work_items._landed_at > deduplicated._landed_at then work_items._landed_at
            else deduplicated._landed_at
        end as _landed_at
    from deduplicated
    inner join work_items
        on deduplicated.work_item_id = work_items.work_item_id
    where deduplicated.copy_number = 1
),

sequenced as (
    select
        work_item_id,
        change_id,
        changed_at,
        from_status,
        to_status,
        case
            when removal_reason is null
                then row_number() over (
                    partition by work_item_id, removal_reason is null
                    order by changed_at, change_id_number, change_id
                )
        end as change_sequence,
        removal_reason,
        duplicates_removed,
        _landed_at
    from classified
)

select * from sequenced
