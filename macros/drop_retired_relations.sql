{#-
    drop_retired_relations(): on-run-end hook of `dbt run` / `dbt build`. Drops the tables and views that
    models of an older Flowmart left behind, so a BI tool or an analyst browsing the schemas never reads
    a relation nothing refreshes any more. Add a model here when it is removed or renamed.
-#}
{% macro drop_retired_relations() %}
    {%- set retired = [
        ('intermediate', 'int_status_intervals_mapped'),
        ('staging', 'stg_jira__changelog_histories'),
        ('staging', 'stg_jira__status_changes'),
        ('staging', 'stg_jira__changelog_history_counts'),
        ('staging', 'stg_github__status_changes'),
        ('staging', 'stg_gitlab__status_changes'),
        ('staging', 'stg_azure__status_changes'),
        ('staging', 'stg_linear__status_changes'),
    ] -%}
    {%- if execute and flags.WHICH in ('run', 'build') -%}
        {%- for schema, identifier in retired -%}
            {%- set relation = adapter.get_relation(database=target.database, schema=schema, identifier=identifier) -%}
            {%- if relation is not none -%}
                {%- do adapter.drop_relation(relation) -%}
                {%- do log('dropped ' ~ relation ~ ': no model builds it any more (retired)', info=true) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
