"""Serving the marts to BI tools and analysts without ever blocking them.

dbt builds into the *work file* (``warehouse/flowmart.duckdb``), which a writer holds exclusively while it
builds. Publishing copies the marts out of it into a new, immutable *version* folder and then switches the
stable path readers open — ``<published>/current`` — to it with one atomic rename:

```
warehouse/published/
    current -> versions/20261125T150700_123456Z      (relative symlink, replaced atomically)
    versions/20261125T150700_123456Z/
        flowmart.duckdb     the marts as tables (schema marts) + meta.publication, old storage format
        serving.duckdb      views over parquet/ (relative paths), for tools that prefer files
        parquet/<mart>/...  one folder per mart, hive-partitioned by period_grain where the mart has it
        manifest.json       version, time, row counts, layout
```

A reader gets the previous complete version or the new one, never a partial one, never a lock error.
See docs/serving.md for the reader side and docs/decisions.md for why it is built this way.
"""

from orchestration.serving.publishing import (
    DEFAULT_KEEP,
    DEFAULT_STORAGE_VERSION,
    PublishError,
    PublishResult,
    Version,
    current_version,
    list_versions,
    publish,
    published_dir_for,
    rollback,
)

__all__ = [
    "DEFAULT_KEEP",
    "DEFAULT_STORAGE_VERSION",
    "PublishError",
    "PublishResult",
    "Version",
    "current_version",
    "list_versions",
    "publish",
    "published_dir_for",
    "rollback",
]
