{#-
    A column of a mapping seed that older seed files lack (added with mapping by id: instance, status_id,
    tracker_item_type_id): the column when the loaded seed has it, else null. So a team's seeds written
    before the column existed still build, meaning what they meant then (docs/adr/0061).
-#}
{% macro optional_seed_column(seed_relation, column_name, alias_prefix='') -%}
    {%- set present = true -%}
    {%- if execute -%}
        {%- set names = adapter.get_columns_in_relation(seed_relation) | map(attribute='name') | map('lower') | list -%}
        {#- no columns found: not a table dbt can look into (a unit test's fixture): the column is there -#}
        {%- set present = (not names) or (column_name | lower in names) -%}
    {%- endif -%}
    {%- if present -%}
        {{ alias_prefix }}{{ column_name }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- A mapping seed row's instance as the mapping models match it: empty or `*` (or no instance column at
    all, in an older seed file) is '*', every instance. -#}
{% macro seed_instance(seed_relation) -%}
    {%- set column = flowmart.optional_seed_column(seed_relation, 'instance') -%}
    case when trim(coalesce({{ column }}, '')) in ('', '*') then '*' else trim({{ column }}) end
{%- endmacro %}
