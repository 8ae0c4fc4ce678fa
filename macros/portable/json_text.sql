{#- The text at a path of keys inside a JSON column (null when absent): json_text('fields', ['issuetype', 'id']). -#}
{% macro json_text(column, keys) -%}
    {{ return(adapter.dispatch('json_text', 'flowmart')(column, keys)) }}
{%- endmacro %}

{% macro default__json_text(column, keys) -%}
    json_extract_scalar({{ column }}, '$.{{ keys | join(".") }}')
{%- endmacro %}

{% macro duckdb__json_text(column, keys) -%}
    json_extract_string({{ column }}, '$.{{ keys | join(".") }}')
{%- endmacro %}

{% macro spark__json_text(column, keys) -%}
    get_json_object({{ column }}, '$.{{ keys | join(".") }}')
{%- endmacro %}

{% macro postgres__json_text(column, keys) -%}
    ({{ column }})::json #>> '{ {{- keys | join(",") -}} }'
{%- endmacro %}
