"""The dbt project as Dagster assets: seeds, staging, intermediate and marts models; dbt tests as checks.

* Asset keys mirror the warehouse: ``[schema, name]`` — ``staging/stg_jira__issues``, ``marts/fct_work_items``,
  ``mappings/value_streams``; dbt sources map to the landing assets' keys (``raw/jira_issues``), so the
  lineage is one graph from the landing folder to the report.
* Groups by layer: ``mappings`` (seeds), ``staging``, ``intermediate``, ``marts``.
* One ``dbt build`` per run (tests run right after the model they test; a failing test skips what is
  downstream of it). Tables get a ``dagster/row_count`` once dbt has released the warehouse file.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from flowmart import pipeline
from flowmart.dbt import DbtSettings, dbt_args, parse_as_of
from flowmart.warehouse import is_lock_error
from orchestration.landing import raw_asset_key
from orchestration.project import DBT_PROJECT
from orchestration.quality import RESULTS_KEY
from orchestration.resources import POOL, WarehouseResource, retry_on_lock

SEED_GROUP = "mappings"


def layer_of(props: Mapping[str, Any]) -> str:
    """The warehouse schema (= layer) a dbt node is built in: staging, intermediate, marts, mappings."""
    if props["resource_type"] == "seed":
        return (props.get("config") or {}).get("schema") or SEED_GROUP
    schema = (props.get("config") or {}).get("schema")
    if schema:
        return schema
    fqn = props.get("fqn") or []
    return fqn[1] if len(fqn) > 2 else "main"


class FlowmartTranslator(DagsterDbtTranslator):
    """dbt sources are the landing assets (``raw/<table>``); models and seeds are keyed by layer; every
    model that reads a source, and every seed, waits for the quality gate's verdict (raw/validation_results,
    whose blocking check gate_passed stops the build), so nothing downstream runs on a failed gate."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        reads_raw = any(node.startswith("source.") for node in (props.get("depends_on") or {}).get("nodes", []))
        if props["resource_type"] == "seed" or reads_raw:
            spec = spec.merge_attributes(deps=[RESULTS_KEY])
        return spec

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        props = dbt_resource_props
        if props["resource_type"] == "source":
            return raw_asset_key(props["name"])
        return dg.AssetKey([layer_of(props), props.get("alias") or props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "landing"
        return layer_of(dbt_resource_props)

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        tags = dict(super().get_tags(dbt_resource_props))
        if dbt_resource_props["resource_type"] != "source":
            tags["flowmart/layer"] = layer_of(dbt_resource_props)
        return tags


TRANSLATOR = FlowmartTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtBuildConfig(dg.Config):
    """Run configuration of the dbt assets."""

    as_of: str | None = None  # recompute as of this UTC time, e.g. '2026-06-30 23:59:59' (null = now)
    full_refresh: bool = False


def relation_of(props: Mapping[str, Any]) -> str | None:
    """``"schema"."alias"`` of a node dbt materializes as a table (views and tests have no row count)."""
    if props.get("resource_type") not in ("model", "seed", "snapshot"):
        return None
    if (props.get("config") or {}).get("materialized") in ("view", "ephemeral"):
        return None
    return f'"{props["schema"]}"."{props.get("alias") or props["name"]}"'


def with_row_counts(events: list, manifest: Mapping[str, Any], db) -> list:
    """Add ``dagster/row_count`` to the materializations of tables, counted after dbt has finished."""
    wanted = {}
    for i, event in enumerate(events):
        if isinstance(event, dg.Output | dg.AssetMaterialization) and "unique_id" in event.metadata:
            unique_id = event.metadata["unique_id"].value
            relation = relation_of(manifest["nodes"].get(unique_id, {}))
            if relation:
                wanted[i] = relation
    if not wanted:
        return events
    out = list(events)
    with duckdb.connect(str(db), read_only=True) as con:
        for i, relation in wanted.items():
            try:
                count = con.execute(f"select count(*) from {relation}").fetchone()[0]
            except duckdb.Error:
                continue
            out[i] = out[i].with_metadata({**out[i].metadata, "dagster/row_count": count})
    return out


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    name="flowmart_dbt",
    pool=POOL,
)
def flowmart_dbt_assets(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
) -> Iterator:
    store = warehouse.warehouse()
    try:
        as_of = parse_as_of(config.as_of) if config.as_of else None
    except ValueError as exc:
        raise dg.Failure(description=str(exc)) from None
    options = pipeline.BuildOptions(as_of=as_of, full_refresh=config.full_refresh)
    with retry_on_lock(context):
        store.ensure_raw_schema()  # dbt's sources must exist even before anything was landed
        gate = pipeline.last_gate_run(store)
    # One dbt build, recorded in raw.build_log like the CLI's. Events are collected while dbt runs (its log
    # streams live) and yielded once it has released the warehouse file: DuckDB lets no other process open
    # the file meanwhile, not even to count rows.
    with pipeline.recorded_build(store, options, gate[0] if gate and gate[1] else None, context.log.warning) as run:
        invocation = dbt.cli(
            dbt_args(run.command, store, DbtSettings(as_of=as_of)), context=context, raise_on_error=False
        )
        events = list(invocation.stream())
        error = invocation.get_error()
        if error is not None:
            run.fail()
    if error is not None and is_lock_error(error) and not any(isinstance(e, dg.Output) for e in events):
        with retry_on_lock(context):
            raise error
    yield from with_row_counts(events, invocation.manifest, store.path)
    if error is not None:
        raise error


DBT_ASSETS = [flowmart_dbt_assets]


def dbt_keys_in_group(group: str) -> list[dg.AssetKey]:
    specs = flowmart_dbt_assets.specs
    return sorted((s.key for s in specs if s.group_name == group), key=lambda k: k.to_user_string())
