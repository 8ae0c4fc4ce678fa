{#-
    Schemas are the layer names themselves (staging, intermediate, marts, mappings), not
    <target_schema>_<layer>: the marts' schema name is part of the contract with BI tools.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
