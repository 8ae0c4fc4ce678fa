{#-
    declare_raw_parquet(location): on an engine that reads tables from files (Spark, Databricks), declare every
    dbt source table as an external Parquet table at <location>/<table> - the raw schema exported to Parquet
    (flowmart/spark_check.py, `export_raw`), as raw lands in a lakehouse. The sources stay as they are: they
    name schema raw and the table, whatever holds it. Run it with
        flowmart dbt --target spark run-operation declare_raw_parquet --args '{location: /path/to/raw-parquet}'
    A table whose folder is missing is skipped with a line (a source the warehouse never had).
-#}
{% macro declare_raw_parquet(location) %}
    {%- set declared = [] -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- if source.schema not in declared -%}
            {%- do run_query('create database if not exists ' ~ source.schema) -%}
            {%- do declared.append(source.schema) -%}
        {%- endif -%}
        {%- set relation = source.schema ~ '.' ~ source.identifier -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- do run_query(
            'create table ' ~ relation ~ ' using parquet location '
            ~ "'" ~ location.rstrip('/') ~ '/' ~ source.identifier ~ "'"
        ) -%}
        {%- do log('declared ' ~ relation ~ ' on ' ~ location.rstrip('/') ~ '/' ~ source.identifier, info=true) -%}
    {%- endfor -%}
{% endmacro %}
