{#-
    The cut-off instant (UTC) every model applies: events after it are ignored.
    var('as_of') null (the default) means "now", taken once per dbt invocation from run_started_at
    so that every model of one build uses the same instant (now() would differ model to model).
-#}
{% macro as_of_timestamp() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of is none or (as_of | string | trim | lower) in ('', 'none', 'null', 'now') -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ as_of }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}

{% macro as_of_date() -%}
    cast({{ flowmart.as_of_timestamp() }} as date)
{%- endmacro %}
