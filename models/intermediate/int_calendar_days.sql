{#-
    One row per UTC calendar day from the start of the first period (ISO week or fiscal half year)
    containing the first item's creation to the as_of day: the date spine
    for fct_flow_daily (days without activity are present) and the business-day clock.
      is_business_day        Monday-Friday and not in the holidays seed;
      business_days_before   business days strictly before this day (since the spine start), so the
                             business time between two timestamps t1 <= t2 is
                             (business_days_before(t2's day) + is_business_day(t2's day) * fraction of t2's day)
                           - (business_days_before(t1's day) + is_business_day(t1's day) * fraction of t1's day);
      <grain>_start          the period each day belongs to (ISO week, month, fiscal quarter, fiscal half year).
-#}
-- A Jinja loop lays out the period columns:
-- sqlfluff:exclude_rules:LT02,LT05,ST06,AM04,RF04,ST05
with

work_items as (select * from {{ ref('int_work_items_mapped') }}),

holidays as (select * from {{ ref('holidays') }}),

first_day as (
    select cast(min(created_at) as date) as first_created_date
    from work_items
),

-- start at the first period (ISO week or fiscal half year) containing the first creation, so every
-- period's averages are over whole periods; end at the as_of day
spine_bounds as (
    select
        least(
            {{ flowmart.period_start('week', 'first_created_date') }},
            {{ flowmart.period_start('half_year', 'first_created_date') }}
        ) as start_date
    from first_day
),

spine as (
    {{ flowmart.day_spine('(select start_date from spine_bounds)', flowmart.as_of_date()) }}
),

days as (
    select
        spine.date_day,
        -- 1900-01-01 was a Monday: 1 = Monday ... 7 = Sunday, the same on every engine
        cast(mod({{ dbt.datediff("cast('1900-01-01' as date)", 'spine.date_day', 'day') }}, 7) + 1 as integer)
            as iso_day_of_week
    from spine
),

flagged as (
    select
        days.date_day,
        days.iso_day_of_week,
        days.iso_day_of_week <= 5 and holidays.holiday_date is null as is_business_day,
        holidays.name as holiday_name
    from days
    left join holidays
        on days.date_day = holidays.holiday_date
),

final as (
    select
        date_day,
        iso_day_of_week,
        is_business_day,
        holiday_name,
        cast(
            coalesce(
                sum(case when is_business_day then 1 else 0 end) over (
                    order by date_day rows between unbounded preceding and 1 preceding
                ),
                0
            ) as integer
        ) as business_days_before,
        {% for grain in flowmart.period_grains() -%}
        {{ flowmart.period_start(grain, 'date_day') }} as {{ grain }}_start{{ ',' if not loop.last }}
        {% endfor %}
    from flagged
)

select * from final
