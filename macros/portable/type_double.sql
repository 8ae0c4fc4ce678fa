{#-
    8-byte floating point. dbt.type_float() renders FLOAT, which is a 4-byte REAL on DuckDB and Postgres
    (7 significant digits) - too coarse for summed durations, so Flowmart uses its own macro.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'flowmart')()) }}
{%- endmacro %}

{#- DuckDB, Spark, Trino, Snowflake, Databricks all spell it double. -#}
{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
