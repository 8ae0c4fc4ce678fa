{#- Continuous (interpolated) percentile as an aggregate, e.g. percentile_cont('flow_time_days', 0.85). -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'flowmart')(expression, fraction)) }}
{%- endmacro %}

{#- SQL standard ordered-set aggregate (Postgres, Snowflake, DuckDB, Redshift...). -#}
{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{#- DuckDB: quantile_cont is the native spelling; it also works inside GROUPING SETS aggregations. -#}
{% macro duckdb__percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- Spark has no ordered-set syntax; percentile() is exact and interpolating. -#}
{% macro spark__percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}
