"""Running the dbt project in-process (dbt-core's programmatic dbtRunner)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from orchestration.config import PROJECT_DIR
from orchestration.ingest.schema import ensure_raw_schema


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
    with duckdb.connect(str(db)) as con:  # sources (raw tables, raw.quarantine) exist before anything landed
        ensure_raw_schema(con)
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


def stale_incremental_tables(db: Path, project_dir: Path = PROJECT_DIR) -> dict[str, list[str]]:
    """Incremental models whose table in ``db`` lacks a column the model's YAML documents - a table an
    older Flowmart wrote: ``{model: [missing columns]}``. dbt would stop on them (``on_schema_change='fail'``:
    rows from the older version would have nulls in the new columns); rebuilding them from scratch once
    (``--full-refresh``) is the fix. Read from the project files, so it costs no dbt parse."""
    import re

    import yaml

    if not db.exists():
        return {}
    incremental = {
        sql.stem for sql in (project_dir / "models").rglob("*.sql")
        if re.search(r"materialized\s*=\s*['\"]incremental['\"]", sql.read_text(encoding="utf-8"))
    }
    documented: dict[str, list[str]] = {}
    for yml in (project_dir / "models").rglob("*.yml"):
        for model in (yaml.safe_load(yml.read_text(encoding="utf-8")) or {}).get("models") or []:
            if model.get("name") in incremental:
                documented[model["name"]] = [c["name"] for c in model.get("columns") or []]
    stale: dict[str, list[str]] = {}
    with duckdb.connect(str(db)) as con:
        for name, columns in documented.items():
            existing = {row[0] for row in con.execute(
                "select column_name from information_schema.columns where table_name = ?", [name]
            ).fetchall()}
            missing = [c for c in columns if existing and c not in existing]
            if missing:
                stale[name] = missing
    return stale


def needs_full_refresh(db: Path, say: Callable[[str], None]) -> bool:
    """True when an incremental table in ``db`` was written by an older Flowmart
    (:func:`stale_incremental_tables`); says one line per such table. `flowmart build` and the Dagster dbt
    asset then add ``--full-refresh`` once instead of letting dbt stop on the schema change."""
    stale = stale_incremental_tables(db)
    for name, missing in stale.items():
        say(f"{name}: written by an older Flowmart (no column {', '.join(missing)}); "
            "rebuilding the incremental models from scratch once (--full-refresh)")
    return bool(stale)


# The scheduled build runs models, seeds and data tests, not dbt unit tests: their inputs are static, so
# they cannot fail on new data; `make test` runs them (dbt's own advice, docs/decisions.md).
PRODUCTION_BUILD_EXCLUDES = ["--exclude-resource-type", "unit_test"]


def build(db: Path, as_of: str | None = None, full_refresh: bool = False, select: str | None = None) -> None:
    args = ["build", *dbt_vars(as_of), *PRODUCTION_BUILD_EXCLUDES]
    if full_refresh or needs_full_refresh(db, lambda line: print(line, flush=True)):
        args.append("--full-refresh")
    if select:
        args += ["--select", select]
    run_dbt(db, args)
