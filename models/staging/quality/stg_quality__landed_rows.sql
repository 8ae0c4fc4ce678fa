{#- A view, 1:1 with raw.landed_rows: how many rows each landed file put in each raw table. -#}
with

landed_rows as (select * from {{ source('quality', 'landed_rows') }}),

final as (
    select
        {{ dbt.split_part('source_table', "'_'", 1) }} as landing_source,
        source_table,
        file_hash as _file_hash,
        rows as rows_landed
    from landed_rows
)

select * from final
