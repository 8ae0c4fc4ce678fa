"""Resources and the one-writer rules: the warehouse, the dbt CLI resource, retries on a locked file.

One writer at a time: DuckDB lets one process hold a database file for writing. Every op that opens the
warehouse is in the concurrency pool :data:`POOL` (limit 1, see ``orchestration/dagster.yaml``) and every
job that writes it carries :data:`WRITER_TAGS` (a run-queue limit of 1), so a second trigger queues
instead of failing on the file lock. A lock held by something outside Dagster (the CLI, a BI tool with a
write connection) is a transient error: the op asks to be retried with exponential backoff. A run holds
Flowmart's writer lock (:meth:`flowmart.warehouse.Warehouse.writing`) from its first step to its last, so a
CLI landing waits for it rather than slipping its rows in between the gate and dbt.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from flowmart import settings
from flowmart.warehouse import Warehouse, is_lock_error
from orchestration.project import DBT_PROJECT

POOL = "flowmart_duckdb"
"""Concurrency pool of every op that opens the warehouse file (limit 1 in dagster.yaml)."""

WRITER_TAG_KEY = "flowmart/duckdb"
WRITER_TAGS = {WRITER_TAG_KEY: "writer"}
"""Tags of runs that write the warehouse; the run queue lets one such run in progress at a time."""

MAX_LOCK_RETRIES = 5
LOCK_BACKOFF_BASE_SECONDS = 10.0
LOCK_BACKOFF_CAP_SECONDS = 300.0


def lock_backoff_seconds(retry_number: int, base: float | None = None, cap: float | None = None) -> float:
    """Seconds to wait before retry ``retry_number + 1``: base, 2*base, 4*base, ... at most ``cap``."""
    base = LOCK_BACKOFF_BASE_SECONDS if base is None else base
    cap = LOCK_BACKOFF_CAP_SECONDS if cap is None else cap
    return min(cap, base * 2 ** max(retry_number, 0))


@contextmanager
def retry_on_lock(context: dg.OpExecutionContext | dg.AssetExecutionContext) -> Iterator[None]:
    """Turn a DuckDB file-lock error inside the block into a retry with exponential backoff.

    Any other error fails the step at once: only the lock is transient.
    """
    try:
        yield
    except dg.RetryRequested:
        raise
    except Exception as exc:
        if not is_lock_error(exc):
            raise
        retry_number = context.retry_number
        wait = lock_backoff_seconds(retry_number)
        context.log.warning(
            f"the warehouse file is locked by another process (attempt {retry_number + 1} of "
            f"{MAX_LOCK_RETRIES + 1}); retrying in {wait:.0f} s: {str(exc).splitlines()[0]}"
        )
        raise dg.RetryRequested(max_retries=MAX_LOCK_RETRIES, seconds_to_wait=wait) from exc


class WarehouseResource(dg.ConfigurableResource):
    """Where the DuckDB warehouse and the landing folder are.

    Unset fields follow the same rules as the CLI: ``$FLOWMART_DB`` else ``./warehouse/flowmart.duckdb``,
    ``$FLOWMART_LANDING_DIR`` else ``./landing`` (read when a run starts, not when definitions load).
    """

    db: str | None = None
    landing_dir: str | None = None

    def warehouse(self) -> Warehouse:
        return Warehouse.at(self.db)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        """Hold the warehouse's writer lock for the whole run (its steps run in one process, see jobs.py):
        a `flowmart land` started after the gate waits until the run has built and published what the gate
        validated, and this run waits for a CLI command that is writing."""
        log = context.log.info if context.log else None
        with self.warehouse().writing(on_wait=log):
            yield self

    def db_path(self) -> Path:
        return settings.db_path(self.db)

    def landing_path(self) -> Path:
        return settings.landing_dir(self.landing_dir)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=DBT_PROJECT)
