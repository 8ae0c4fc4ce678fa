{#-
    to_utc_timestamp(column): ISO-8601 text as trackers write it ('2020-06-12T08:13:13.360+0800',
    '2024-01-02T03:04:05Z', '2024-01-02 03:04:05' = already UTC) -> timestamp without time zone, in UTC.
    Unparseable text becomes null (the quality gate reports it) instead of failing the whole build.
-#}
{% macro to_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'flowmart')(column)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(column) -%}
    cast({{ column }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- DuckDB: try_cast to timestamptz understands +0800, +08:00 and Z. A timestamptz holds UTC microseconds,
    so make_timestamp(epoch_us(...)) drops the zone without a calendar: timezone('UTC', ...) gives the same
    value but goes through ICU, which is measurably slower over millions of changes (docs/benchmarks.md). -#}
{% macro duckdb__to_utc_timestamp(column) -%}
    make_timestamp(epoch_us(try_cast({{ column }} as timestamptz)))
{%- endmacro %}

{#- Trino: from_iso8601_timestamp understands offsets; at_timezone + cast drops the zone. -#}
{% macro trino__to_utc_timestamp(column) -%}
    cast(at_timezone(try(from_iso8601_timestamp({{ column }})), 'UTC') as timestamp(6))
{%- endmacro %}

{#- Spark: to_timestamp understands offsets and yields the session time zone; sessions run in UTC. -#}
{% macro spark__to_utc_timestamp(column) -%}
    to_utc_timestamp(to_timestamp({{ column }}), current_timezone())
{%- endmacro %}
