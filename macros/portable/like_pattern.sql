{#-
    like_pattern(pattern_expression): a LIKE pattern taken from the data (a stream rule's match_value, a
    label), so that `x like like_pattern(p)` means the same on every engine: `%` and `_` are wildcards and
    every other character, a backslash included, stands for itself (Azure area paths are `Fleet\Telematics`).

    default: the pattern as it is (DuckDB, Postgres, Trino: LIKE has no escape character unless asked).
    spark:   Spark's LIKE escapes with a backslash by default, so each backslash is doubled.
-#}
{% macro like_pattern(pattern_expression) -%}
    {{ return(adapter.dispatch('like_pattern', 'flowmart')(pattern_expression)) }}
{%- endmacro %}

{% macro default__like_pattern(pattern_expression) -%}
    {{ pattern_expression }}
{%- endmacro %}

{% macro spark__like_pattern(pattern_expression) -%}
    replace({{ pattern_expression }}, '\\', '\\\\')
{%- endmacro %}
