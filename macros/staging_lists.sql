{#-
    json_array_to_delimited(column): a JSON array of strings as text ('["a","b"]') -> '|a|b|', the one
    portable form of labels and components in staging ('%|a|%' matches one whole label); null when empty.
    The default uses only replace(), so it runs anywhere; engines with JSON functions may override it.
-#}
{% macro json_array_to_delimited(column) -%}
    {{ return(adapter.dispatch('json_array_to_delimited', 'flowmart')(column)) }}
{%- endmacro %}

{% macro default__json_array_to_delimited(column) -%}
    nullif(
        replace(replace(replace(replace(replace(replace(
            cast({{ column }} as {{ dbt.type_string() }}),
            '", "', '|'), '","', '|'), '["', '|'), '"]', '|'), '[]', ''), '\\"', '"'),
        ''
    )
{%- endmacro %}

{#- DuckDB: parse the JSON properly (labels may contain quotes, commas or unicode escapes). -#}
{% macro duckdb__json_array_to_delimited(column) -%}
    nullif('|' || array_to_string(from_json(cast({{ column }} as json), '["VARCHAR"]'), '|') || '|', '||')
{%- endmacro %}

{#-
    delimited_list(column, separator): a list written in one text cell ('a;b' in CSV exports) -> '|a|b|'.
-#}
{% macro delimited_list(column, separator=';') -%}
    nullif('|' || replace(replace(trim({{ column }}), '{{ separator }} ', '{{ separator }}'), '{{ separator }}', '|') || '|', '||')
{%- endmacro %}
