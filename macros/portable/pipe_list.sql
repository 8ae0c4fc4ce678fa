{#-
    Labels and components arrive from staging as one portable text form '|a|b|' (or null).
    pipe_list_matches is true when one element of the list equals value (match_type exact) or, for
    match_type pattern, when an element matches the SQL LIKE pattern (anchored at the element start;
    a pattern containing '|' or ending in '%' may run into the next element, documented in metrics.md).
-#}
{% macro pipe_list_contains(list_expression, value_expression) -%}
    {{ list_expression }} like {{ flowmart.like_pattern(dbt.concat(["'%|'", value_expression, "'|%'"])) }}
{%- endmacro %}
