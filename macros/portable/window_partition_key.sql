{#-
    window_partition_key(column): what to write in a window's PARTITION BY to partition by a long text key
    (e.g. work_item_id, 40+ characters sharing a long prefix such as 'jira:acme.atlassian.net:').

    default: the column itself.
    duckdb:  a 64-bit hash of the column, then the column. DuckDB sorts each partition by the partition
             keys before the ORDER BY keys; a leading integer makes that sort compare integers instead of
             long strings with a common prefix. The column stays in the key, so rows of two different
             items never share a partition (a hash collision only puts them side by side): same result.
-#}
{% macro window_partition_key(column) -%}
    {{ return(adapter.dispatch('window_partition_key', 'flowmart')(column)) }}
{%- endmacro %}

{% macro default__window_partition_key(column) -%}
    {{ column }}
{%- endmacro %}

{% macro duckdb__window_partition_key(column) -%}
    hash({{ column }}), {{ column }}
{%- endmacro %}
