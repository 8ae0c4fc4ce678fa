{#- Every row has a value in at least one of `columns` (a mapping row names its status or item type by id,
    by name, or both). A column the seed file does not have counts as empty (older seed files). -#}
{% test any_not_null(model, columns) %}
select *
from {{ model }}
where
    {%- for column in columns %}
    nullif(trim({{ flowmart.optional_seed_column(model, column) }}), '') is null{{ ' and' if not loop.last }}
    {%- endfor %}
{% endtest %}
