{#-
    dbt.safe_cast(field, type) promises null when the value does not convert, but dbt-duckdb 1.11 does not
    override it and the default is a plain cast, which fails the whole query on one bad value (e.g. change
    ids that are not numbers: GitHub 'closed_at', GitLab 'label:71', Linear 'started', CSV 'c1').
    DuckDB's try_cast keeps the promise. (dbt searches the root project first for dbt-namespace macros.)
-#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
