{#-
    First day of the period containing date_expression, for period grains
    week (ISO: Monday), month, quarter and half_year. Quarters and half years start at
    var('fiscal_year_start_month') (1 = January): with 4 (April), Q1 = Apr-Jun, H1 = Apr-Sep.
-#}
{% macro period_start(grain, date_expression) -%}
    {%- set month_start = 'cast(' ~ dbt.date_trunc('month', date_expression) ~ ' as date)' -%}
    {%- set fiscal_start = var('fiscal_year_start_month', 1) | int -%}
    {%- if fiscal_start < 1 or fiscal_start > 12 -%}
        {{ exceptions.raise_compiler_error("var fiscal_year_start_month must be 1..12, got " ~ fiscal_start) }}
    {%- endif -%}
    {#- months elapsed since the fiscal year started, 0..11 -#}
    {%- set fiscal_month_index = 'mod(cast(extract(month from ' ~ date_expression ~ ') as integer) + ' ~ (12 - fiscal_start) ~ ', 12)' -%}
    {%- if grain == 'day' -%}
        cast({{ date_expression }} as date)
    {%- elif grain == 'week' -%}
        cast({{ dbt.date_trunc('week', date_expression) }} as date)
    {%- elif grain == 'month' -%}
        {{ month_start }}
    {%- elif grain == 'quarter' -%}
        cast({{ dbt.dateadd('month', '-1 * mod(' ~ fiscal_month_index ~ ', 3)', month_start) }} as date)
    {%- elif grain == 'half_year' -%}
        cast({{ dbt.dateadd('month', '-1 * mod(' ~ fiscal_month_index ~ ', 6)', month_start) }} as date)
    {%- else -%}
        {{ exceptions.raise_compiler_error("unknown period grain " ~ grain) }}
    {%- endif -%}
{%- endmacro %}

{#- Last day of the period that starts at period_start_expression. -#}
{% macro period_end(grain, period_start_expression) -%}
    {%- set months = {'month': 1, 'quarter': 3, 'half_year': 6} -%}
    {%- if grain == 'day' -%}
        cast({{ period_start_expression }} as date)
    {%- elif grain == 'week' -%}
        cast({{ dbt.dateadd('day', 6, period_start_expression) }} as date)
    {%- else -%}
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', months[grain], period_start_expression)) }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro period_grains() -%}
    {{ return(['week', 'month', 'quarter', 'half_year']) }}
{%- endmacro %}
