{#-
    The tracker registry as dbt sees it (flowmart/trackers): var flowmart_trackers, passed by Flowmart on
    every dbt call (flowmart/dbt.py), maps each tracker to the two models the unions read:

        {"jira": {"work_items": "int_jira__work_items", "status_changes": "int_jira__status_changes",
                  "ids": true, "history_from_creation": true}, ...}

    Each work_items model gives the columns of work_item_columns(), each status_changes model those of
    status_change_columns(); a tracker with "ids" also gives the id columns (work_item_id_columns(),
    status_change_id_columns()), which the unions fill with null for the others (docs/architecture.md,
    "Adding a tracker"). Run dbt by hand through `flowmart dbt ...`, which passes the var.
-#}
{% macro trackers() -%}
    {%- set registered = var('flowmart_trackers', none) -%}
    {%- if registered is none -%}
        {{ exceptions.raise_compiler_error(
            "var flowmart_trackers is not set: run dbt through `flowmart dbt ...`, which passes the tracker "
            ~ "registry (flowmart/trackers), the warehouse path and the build settings"
        ) }}
    {%- endif -%}
    {{ return(registered) }}
{%- endmacro %}

{#- The canonical work item: one row per item, from each tracker's work_items model. -#}
{% macro work_item_columns() -%}
    {{ return([
        'work_item_id', 'source', 'instance', 'item_key', 'source_item_id', 'title', 'tracker_item_type',
        'is_subtask', 'project_key', 'project_name', 'components', 'labels', 'area_path', 'parent_key',
        'current_status', 'current_status_category', 'resolution', 'resolved_at', 'created_at', 'updated_at',
        'history_expected_count', 'history_landed_count', '_landed_at',
    ]) }}
{%- endmacro %}

{#- The canonical status change: one row per change (copies_landed: landed copies it stands for). -#}
{% macro status_change_columns() -%}
    {{ return([
        'work_item_id', 'change_id', 'changed_at', 'from_status', 'to_status', 'copies_landed', '_landed_at',
    ]) }}
{%- endmacro %}

{#- Ids of the work item's current status and item type: given by trackers with "ids" (null elsewhere). -#}
{% macro work_item_id_columns() -%}
    {{ return(['current_status_id', 'tracker_item_type_id']) }}
{%- endmacro %}

{#- Ids of a change's from- and to-status: given by trackers with "ids" (null elsewhere). -#}
{% macro status_change_id_columns() -%}
    {{ return(['from_status_id', 'to_status_id']) }}
{%- endmacro %}

{#- The select list of one tracker's model in a union: its canonical columns, then the id columns (null,
    cast to text, when the tracker gives none). -#}
{% macro canonical_select(columns, id_columns, has_ids) -%}
    {{ columns | join(', ') }},
    {%- for column in id_columns %}
    {% if has_ids %}cast({{ column }} as {{ dbt.type_string() }}){% else %}cast(null as {{ dbt.type_string() }}){% endif %} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Trackers whose history does not reach back to each item's creation (see flowmart/trackers/spec.py). -#}
{% macro trackers_without_full_history() -%}
    {%- set names = [] -%}
    {%- for tracker, entry in flowmart.trackers().items() -%}
        {%- if not entry.get('history_from_creation', true) -%}{%- do names.append(tracker) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}
