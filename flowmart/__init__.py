"""Flowmart: Flow Framework value-stream analytics from tracker exports, on DuckDB + dbt + Dagster.

``trackers`` (the registry, one module per tracker), ``landing``, ``gate`` (Great Expectations), ``dbt``
(running the dbt project), ``report``, ``publishing``, ``pipeline`` (the steps in order), ``cli``, ``demo``.
docs/architecture.md walks one refresh through them.
"""
