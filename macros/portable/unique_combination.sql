{#- The query of the unique_combination test (data-tests/generic/unique_combination.sql). -#}
{% macro default__unique_combination_sql(model, columns) %}
select
    {{ columns | join(', ') }},
    count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endmacro %}

{#- DuckDB: the keys of the big tables are long strings (5-6M rows at 1M items); grouping one 64-bit hash
    of them finds the candidates at a fraction of the cost, and only those are grouped by the real
    columns (a hash collision only adds candidates: same result as the default). -#}
{% macro duckdb__unique_combination_sql(model, columns) %}
with

hashed as (
    select hash({{ columns | join(', ') }}) as key_hash
    from {{ model }}
),

repeated_hashes as (
    select key_hash
    from hashed
    group by key_hash
    having count(*) > 1
)

select
    {{ columns | join(', ') }},
    count(*) as row_count
from {{ model }}
where hash({{ columns | join(', ') }}) in (select key_hash from repeated_hashes)
group by {{ columns | join(', ') }}
having count(*) > 1
{% endmacro %}
