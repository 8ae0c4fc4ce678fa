{#- A view, 1:1 with raw.quarantine: the rows the input quality gate took out of the raw tables, with the
    landing format they came in (the raw table's prefix: jira, csv, github, gitlab, azure, linear). The row
    itself stays as JSON text in `record`; the list of failed checks stays in raw.quarantine. -#}
with

quarantine as (select * from {{ source('quality', 'quarantine') }}),

final as (
    select
        {{ dbt.split_part('source_table', "'_'", 1) }} as landing_source,
        source_table,
        source_file as _source_file,
        file_hash as _file_hash,
        record_position as _record_position,
        cast(landed_at as {{ dbt.type_timestamp() }}) as _landed_at,
        cast(quarantined_at as {{ dbt.type_timestamp() }}) as quarantined_at,
        run_id,
        expectation,
        severity,
        message,
        cast(record as {{ dbt.type_string() }}) as record
    from quarantine
)

select * from final
