{#- The query of the primary_key test (data-tests/generic/primary_key.sql): one row per key that is null in
    a column or repeated. -#}
{% macro default__primary_key_sql(model, columns) %}
{%- set key = columns | join(', ') %}
select
    {{ key }},
    count(*) as row_count
from {{ model }}
group by {{ key }}
having count(*) > 1 or {{ flowmart.any_is_null(columns) }}
{% endmacro %}

{#- DuckDB: the keys of the big tables are long strings (several rows per item); grouping one 64-bit hash
    of them finds the candidates at a fraction of the cost, and only those are grouped by the real
    columns (a hash collision only adds candidates: same result as the default). When nothing is
    repeated or null, the second read of the model stops at once (its join has nothing to match). -#}
{% macro duckdb__primary_key_sql(model, columns) %}
{%- set key = columns | join(', ') %}
with

hashed as (
    select
        hash({{ key }}) as key_hash,
        {{ flowmart.any_is_null(columns) }} as has_null_key
    from {{ model }}
),

suspect_hashes as (
    select key_hash
    from hashed
    group by key_hash
    having count(*) > 1 or bool_or(has_null_key)
)

select
    {{ key }},
    count(*) as row_count
from {{ model }}
where hash({{ key }}) in (select key_hash from suspect_hashes)
group by {{ key }}
having count(*) > 1 or {{ flowmart.any_is_null(columns) }}
{% endmacro %}

{#- `(a is null or b is null)` for the columns given. -#}
{% macro any_is_null(columns) -%}
    ({% for column in columns %}{{ column }} is null{{ ' or ' if not loop.last }}{% endfor %})
{%- endmacro %}
