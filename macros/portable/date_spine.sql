{#-
    A select returning one row per calendar day (column date_day) from start_date to end_date inclusive.
    Both arguments are SQL expressions (they may be scalar subqueries), evaluated at run time, so the
    spine needs no compile-time query (unlike dbt.date_spine) and works inside dbt unit tests.
-#}
{% macro day_spine(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_spine', 'flowmart')(start_date, end_date)) }}
{%- endmacro %}

{#- Portable: 2^15 numbers from dbt.generate_series (cross joins of powers of two) = 89 years of days. -#}
{% macro default__day_spine(start_date, end_date) -%}
    select day_spine_days.date_day
    from (
        select cast({{ dbt.dateadd('day', 'numbers.generated_number - 1', 'bounds.start_date') }} as date) as date_day,
            bounds.end_date
        from ({{ dbt.generate_series(32768) }}) as numbers
        cross join (
            select cast({{ start_date }} as date) as start_date, cast({{ end_date }} as date) as end_date
        ) as bounds
    ) as day_spine_days
    where day_spine_days.date_day <= day_spine_days.end_date
{%- endmacro %}

{#-
    DuckDB: the range() table function yields exactly the days needed; the portable version
    materialises 32,768 candidate rows from 15 cross joins first.
-#}
{% macro duckdb__day_spine(start_date, end_date) -%}
    select cast(range as date) as date_day
    from range(
        cast(cast({{ start_date }} as date) as timestamp),
        cast(cast({{ end_date }} as date) as timestamp) + interval 1 day,
        interval 1 day
    )
{%- endmacro %}
