"""The dbt project as Dagster assets: seeds, staging, intermediate and marts models; dbt tests as checks.

* Asset keys mirror the warehouse: ``[schema, name]`` — ``staging/stg_jira__issues``, ``marts/fct_work_items``,
  ``mappings/value_streams``; dbt sources map to the landing assets' keys (``raw/jira_issues``), so the
  lineage is one graph from the landing folder to the report.
* Groups by layer: ``mappings`` (seeds), ``staging``, ``intermediate``, ``marts``.
* One ``dbt build`` per run (tests run right after the model they test; a failing test skips what is
  downstream of it). Tables get a ``dagster/row_count`` once dbt has released the warehouse file.
"""

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.dagster.landing import raw_asset_key
from orchestration.dagster.resources import POOL, WarehouseResource, dbt_project, is_lock_error, retry_on_lock
from orchestration.dbt_runner import PRODUCTION_BUILD_EXCLUDES, needs_full_refresh
from orchestration.ingest.schema import ensure_raw_schema

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
    """dbt sources are the landing assets (``raw/<table>``); models and seeds are keyed by layer."""

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


def dbt_build_args(config: DbtBuildConfig) -> list[str]:
    args = ["build", *PRODUCTION_BUILD_EXCLUDES]
    if config.as_of:
        args += ["--vars", json.dumps({"as_of": config.as_of})]
    if config.full_refresh:
        args.append("--full-refresh")
    return args


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


@contextmanager
def warehouse_env(db: Path) -> Iterator[None]:
    """Set FLOWMART_DB to ``db`` for the block (the dbt subprocess starts inside it), then restore it."""
    before = os.environ.get("FLOWMART_DB")
    os.environ["FLOWMART_DB"] = str(db)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("FLOWMART_DB", None)
        else:
            os.environ["FLOWMART_DB"] = before


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
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
    db = warehouse.db_path()
    with retry_on_lock(context):
        db.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(db)) as con:  # dbt's sources must exist even before anything was landed
            ensure_raw_schema(con)

    args = dbt_build_args(config)
    if not config.full_refresh and needs_full_refresh(db, context.log.warning):
        args.append("--full-refresh")
    with warehouse_env(db):  # profiles.yml reads FLOWMART_DB; the dbt subprocess copies the environment
        invocation = dbt.cli(args, context=context, raise_on_error=False)
    # Events are collected while dbt runs (its log streams live) and yielded once it has released the
    # warehouse file: DuckDB lets no other process open the file meanwhile, not even to count rows.
    events = list(invocation.stream())
    error = invocation.get_error()
    if error is not None and is_lock_error(error) and not any(isinstance(e, dg.Output) for e in events):
        with retry_on_lock(context):
            raise error
    yield from with_row_counts(events, invocation.manifest, db)
    if error is not None:
        raise error


DBT_ASSETS = [flowmart_dbt_assets]


def dbt_keys_in_group(group: str) -> list[dg.AssetKey]:
    specs = flowmart_dbt_assets.specs
    return sorted((s.key for s in specs if s.group_name == group), key=lambda k: k.to_user_string())
