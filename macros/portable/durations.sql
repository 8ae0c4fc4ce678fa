{#- Elapsed time between two UTC timestamps in (fractional) days. Portable: dbt.datediff in seconds. -#}
{% macro days_between(start_timestamp, end_timestamp) -%}
    (cast({{ dbt.datediff(start_timestamp, end_timestamp, 'second') }} as {{ flowmart.type_double() }}) / 86400)
{%- endmacro %}

{#- Fraction of its UTC day that has elapsed at a timestamp (0 at midnight). -#}
{% macro fraction_of_day(timestamp_expression) -%}
    (cast({{ dbt.datediff(dbt.date_trunc('day', timestamp_expression), timestamp_expression, 'second') }} as {{ flowmart.type_double() }}) / 86400)
{%- endmacro %}
