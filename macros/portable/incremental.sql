{#-
    How int_status_changes_unioned refreshes (docs/adr/0069-spark-reads-raw-parquet-and-rewrites-whole.md).
    On each build it recomputes every change of the items that got a new snapshot or change and replaces
    all the rows of those items: dbt's delete+insert keyed on work_item_id (an item has many rows, so a
    merge on a unique key cannot do it).

    default (DuckDB, Postgres, Trino, Snowflake...) and Databricks (dbt-databricks 1.11: REPLACE ON, or a
    delete then an insert): delete+insert, only the items with something new.
    spark (dbt-spark over Parquet tables: no row-level delete, and no delete+insert strategy): the whole
    table is recomputed and written with insert_overwrite, so the model reads every item.
-#}
{% macro item_rewrite_strategy() -%}
    {{ return(adapter.dispatch('item_rewrite_strategy', 'flowmart')()) }}
{%- endmacro %}

{% macro default__item_rewrite_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__item_rewrite_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{% macro databricks__item_rewrite_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{#- True in an incremental run whose strategy replaces only the items read (delete+insert): the model then
    reads only the items with something landed after its newest _landed_at. -#}
{% macro is_incremental_by_item() -%}
    {{ return(is_incremental() and flowmart.item_rewrite_strategy() == 'delete+insert') }}
{%- endmacro %}
