"""Publishing the marts as the last asset of a refresh and of a review.

The asset copies the work file's marts into a new published version and switches
``<published>/current`` to it atomically (:func:`flowmart.pipeline.publish`: only a build that completed),
so BI tools and analysts never see a half-built warehouse and never hit the writer's file lock.
"""

import dagster as dg

from flowmart import pipeline
from orchestration.dbt import dbt_keys_in_group
from orchestration.jobs import PUBLISH_KEY, REPORT_KEY, SERVING_GROUP
from orchestration.resources import POOL, WarehouseResource, retry_on_lock


@dg.asset(
    key=PUBLISH_KEY,
    group_name=SERVING_GROUP,
    # after the marts, and after the review when both run (its snapshots live in the marts schema)
    deps=[*dbt_keys_in_group("marts"), REPORT_KEY],
    kinds={"duckdb", "parquet"},
    pool=POOL,
    description=(
        "The published marts readers open: <warehouse folder>/published/current/flowmart.duckdb "
        "(older storage format for BI tools), Parquet and a serving file of views; replaced atomically."
    ),
)
def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with retry_on_lock(context):
        try:
            result = pipeline.publish(warehouse.warehouse())
        except pipeline.StepFailed as exc:
            raise dg.Failure(description=str(exc)) from None
    context.log.info(f"published {result.version_id}: {len(result.tables)} marts -> {result.marts_file}")
    return dg.MaterializeResult(
        metadata={
            "version": result.version_id,
            "marts_file": dg.MetadataValue.path(str(result.marts_file)),
            "rows": sum(result.tables.values()),
            "tables": dg.MetadataValue.json(result.tables),
            "pruned_versions": len(result.pruned),
        }
    )


SERVING_ASSETS = [published_marts]
