{#- The model's grain key: no row has a null in any of `columns`, and no combination of them occurs twice.
    What dbt's `unique` and `not_null` tests (or a compound unique test plus a not_null per key column) check,
    in one query: the model is evaluated once per key instead of once per test (a staging view is computed
    again by each test that reads it), and a compound key is checked for nulls in every column. Fails with
    every offending key and how many rows carry it. The query is dispatched (macros/portable/primary_key.sql). -#}
{% test primary_key(model, columns) %}
{{ adapter.dispatch('primary_key_sql', 'flowmart')(model, columns) }}
{% endtest %}
