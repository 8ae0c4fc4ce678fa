{#- The combination of `columns` is unique in the model (a mart's compound grain key); fails with every
    combination that occurs more than once. The query is dispatched (macros/portable/unique_combination.sql). -#}
{% test unique_combination(model, columns) %}
{{ adapter.dispatch('unique_combination_sql', 'flowmart')(model, columns) }}
{% endtest %}
