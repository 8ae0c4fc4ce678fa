"""Flowmart: Flow Framework value-stream analytics from tracker exports, on DuckDB + dbt + Dagster.

``trackers`` (the registry, one module per tracker), ``landing``, ``gate`` (Great Expectations), ``dbt``
(running the dbt project), ``report``, ``publishing``, ``pipeline`` (the steps in order), ``cli``, ``demo``.
docs/architecture.md walks one refresh through them.
"""

import os
import warnings

# DuckDB's allocator (its own jemalloc) hands freed pages back to the system after one second by default, and
# the next batch of a landing has the kernel fault and zero every page again: at 1M items that was a third of
# landing's CPU (the gate and dbt neither gained nor lost, measured). Kept for ten seconds, freed memory is
# reused (docs/adr/0081). jemalloc reads this once, when duckdb is first imported: so here, before any
# Flowmart module imports duckdb, and only when the environment does not already say otherwise. dbt and the
# other processes Flowmart starts inherit it.
os.environ.setdefault("DUCKDB_JE_MALLOC_CONF", "dirty_decay_ms:10000")

# With the `spark` extra installed, Great Expectations imports pyspark, which warns on every import that it
# does not fully support pandas 3; Flowmart's own code never hands pandas data to Spark (docs/scaling.md).
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
