"""Running the dbt project in-process (dbt-core's programmatic dbtRunner)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.config import PROJECT_DIR
from orchestration.ingest.schema import ensure_raw_schema
from orchestration.quality.store import ensure_quality_tables


class DbtFailed(Exception):
    pass


def dbt_env(db: Path) -> None:
    """dbt reads the warehouse path from FLOWMART_DB (profiles.yml) — point it at ``db``."""
    os.environ["FLOWMART_DB"] = str(db)
    os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    os.environ.setdefault("DBT_LOG_PATH", str(PROJECT_DIR / "logs"))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def dbt_vars(as_of: str | None = None, extra: dict | None = None) -> list[str]:
    values = dict(extra or {})
    if as_of:
        values["as_of"] = as_of
    return ["--vars", json.dumps(values)] if values else []


def run_dbt(db: Path, args: Sequence[str]) -> None:
    """Invoke dbt with ``args`` against warehouse ``db``; raise DbtFailed when it does not succeed."""
    from dbt.cli.main import dbtRunner  # imported lazily: it is slow and only needed here

    dbt_env(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db)) as con:  # sources must exist even before anything was landed
        ensure_raw_schema(con)
        ensure_quality_tables(con)  # raw.quarantine / raw.validation_results, read by fct_data_quality
    try:
        result = dbtRunner().invoke([*args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)])
    finally:
        release_duckdb()
    if result.exception is not None:
        raise DbtFailed(f"dbt {args[0]} could not run: {result.exception}")
    if not result.success:
        raise DbtFailed(f"dbt {args[0]} finished with errors (see the log above and {PROJECT_DIR / 'logs'})")


def release_duckdb() -> None:
    """Close the DuckDB connection dbt-duckdb keeps for the life of the process.

    Without this the warehouse file stays open (and locked against other processes) after dbt returns,
    and this process cannot open it again with another configuration (e.g. read-only).
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def build(db: Path, as_of: str | None = None, full_refresh: bool = False, select: str | None = None) -> None:
    args = ["build", *dbt_vars(as_of)]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", select]
    run_dbt(db, args)
