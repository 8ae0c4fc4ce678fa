{#-
    replay_materialization(): how the label trackers' replayed histories (int_github__status_changes,
    int_gitlab__status_changes: macros/staging_label_statuses.sql) are kept.

    default: a view. DuckDB computes the replay inside the one model that reads it
             (int_status_changes_unioned) and its data tests; nothing is stored twice
             (docs/adr/0012-views-where-readers-scan-once.md).
    spark:   a table. Spark inlines a view and each of its CTEs into every query that reads it: the replay
             (a dozen windows and self-joins) ran again for each data test, about a hundred stages each,
             half a minute per test on the fixture; a table computes it once.
-#}
{% macro replay_materialization() -%}
    {{ return(adapter.dispatch('replay_materialization', 'flowmart')()) }}
{%- endmacro %}

{% macro default__replay_materialization() -%}
    {{ return('view') }}
{%- endmacro %}

{% macro spark__replay_materialization() -%}
    {{ return('table') }}
{%- endmacro %}
