"""Flowmart: Flow Framework value-stream analytics from tracker exports, on DuckDB + dbt + Dagster.

``trackers`` (the registry, one module per tracker), ``landing``, ``gate`` (Great Expectations), ``dbt``
(running the dbt project), ``report``, ``publishing``, ``pipeline`` (the steps in order), ``cli``, ``demo``.
docs/architecture.md walks one refresh through them.
"""

import warnings

# With the `spark` extra installed, Great Expectations imports pyspark, which warns on every import that it
# does not fully support pandas 3; Flowmart's own code never hands pandas data to Spark (docs/scaling.md).
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
