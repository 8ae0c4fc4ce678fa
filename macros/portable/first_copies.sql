{#-
    first_copies(relation, partition_by, order_by, copy_weight='1'): the rows of `relation` (a CTE name or
    subquery) keeping one copy per `partition_by` key - the first in `order_by` - as a subquery with every
    column of `relation` plus
      _copies   sum of `copy_weight` over the key's copies (1 per row unless a row already stands for
                several copies).
    partition_by: list of SQL expressions; order_by: an ORDER BY list as text.

    default: one window (row_number + a whole-partition sum with the same partition and order, so one sort).
    duckdb:  copies are rare (an item's history lands again with every overlapping export, but most keys
             have one row), so only keys that repeat go through the window: a hash aggregate over one 64-bit
             hash of the key finds them, and the other rows pass straight through. A hash collision only
             sends a few more rows through the window, which then partitions by the real key: the result is
             the same as the default's. A window over every row with all its columns would be the slowest
             step of the models that deduplicate changes.
-#}
{% macro first_copies(relation, partition_by, order_by, copy_weight='1') -%}
    {{ return(adapter.dispatch('first_copies', 'flowmart')(relation, partition_by, order_by, copy_weight)) }}
{%- endmacro %}

{% macro default__first_copies(relation, partition_by, order_by, copy_weight='1') -%}
    (
        select *
        from (
            select
                copies.*,
                row_number() over (
                    partition by {{ partition_by | join(', ') }}
                    order by {{ order_by }}
                ) as _copy_rank,
                sum({{ copy_weight }}) over (
                    partition by {{ partition_by | join(', ') }}
                    order by {{ order_by }}
                    rows between unbounded preceding and unbounded following
                ) as _copies
            from {{ relation }} as copies
        ) as ranked
        where _copy_rank = 1
    )
{%- endmacro %}

{% macro duckdb__first_copies(relation, partition_by, order_by, copy_weight='1') -%}
    (
        with

        keyed as (
            select
                copies.*,
                hash({{ partition_by | join(', ') }}) as _copy_key
            from {{ relation }} as copies
        ),

        repeated_keys as (
            select _copy_key
            from keyed
            group by _copy_key
            having count(*) > 1
        ),

        single_copies as (
            select
                keyed.* exclude (_copy_key),
                {{ copy_weight }} as _copies
            from keyed
            anti join repeated_keys
                on keyed._copy_key = repeated_keys._copy_key
        ),

        ranked_copies as (
            select
                keyed.* exclude (_copy_key),
                row_number() over (
                    partition by {{ partition_by | join(', ') }}
                    order by {{ order_by }}
                ) as _copy_rank,
                sum({{ copy_weight }}) over (
                    partition by {{ partition_by | join(', ') }}
                    order by {{ order_by }}
                    rows between unbounded preceding and unbounded following
                ) as _copies
            from keyed
            semi join repeated_keys
                on keyed._copy_key = repeated_keys._copy_key
        )

        select * from single_copies
        union all by name
        select * exclude (_copy_rank) from ranked_copies
        where _copy_rank = 1
    )
{%- endmacro %}
