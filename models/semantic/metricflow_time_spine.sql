{#-
    The day spine MetricFlow joins metrics to (dbt semantic layer). The calendar the marts use, so a
    metric grouped by metric_time__day has the same days as fct_flow_daily. A view: no data of its own.
-#}
{{ config(materialized='view', schema='semantic') }}

with

calendar_days as (select * from {{ ref('int_calendar_days') }}),

final as (
    select date_day
    from calendar_days
)

select * from final
