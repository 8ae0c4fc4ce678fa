{{ config(materialized='view') }}
{#-
    One row per landing format (tracker) with rows landed: how many raw rows its files brought and how
    many of those the input quality gate moved to raw.quarantine (every landed row is in its raw table or
    in quarantine). Not cut at as_of: landing and quarantining are not events in an item's life.
-#}
with

landed_rows as (select * from {{ ref('stg_quality__landed_rows') }}),

quarantined_rows as (select * from {{ ref('stg_quality__quarantined_rows') }}),

landed_by_format as (
    select
        landing_source,
        sum(rows_landed) as rows_landed
    from landed_rows
    group by landing_source
),

quarantined_by_format as (
    select
        landing_source,
        count(*) as rows_quarantined
    from quarantined_rows
    group by landing_source
),

final as (
    select
        landed_by_format.landing_source,
        landed_by_format.rows_landed,
        coalesce(quarantined_by_format.rows_quarantined, 0) as rows_quarantined
    from landed_by_format
    left join quarantined_by_format
        on landed_by_format.landing_source = quarantined_by_format.landing_source
)

select * from final
