"""Paths and settings that come from the environment, read in one place.

| variable | default | what |
|---|---|---|
| ``FLOWMART_DB`` | ``./warehouse/flowmart.duckdb`` | the warehouse work file |
| ``FLOWMART_LANDING_DIR`` | ``./landing`` | the folder the Dagster sensor and landing assets read |
| ``FLOWMART_PUBLISH_DIR`` | ``<warehouse folder>/published`` | where published versions go |
| ``FLOWMART_MEMORY_LIMIT`` | ``3GB`` | DuckDB's memory limit for dbt and the gate (it spills beyond it) |
| ``FLOWMART_DBT_THREADS`` | ``2`` | dbt threads |
| ``FLOWMART_PROJECT_DIR`` | the repository | the dbt project Flowmart runs |
| ``FLOWMART_DROP_PEOPLE`` | off | ``1``: every landing pseudonymises people (``flowmart land --drop-people``) |
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("FLOWMART_PROJECT_DIR", Path(__file__).resolve().parent.parent))
DEFAULT_DB = Path("warehouse") / "flowmart.duckdb"
DEFAULT_MEMORY_LIMIT = "3GB"
DEFAULT_DBT_THREADS = 2


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The warehouse file: an explicit path, else $FLOWMART_DB, else ./warehouse/flowmart.duckdb."""
    chosen = explicit or os.environ.get("FLOWMART_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def landing_dir(explicit: str | os.PathLike | None = None) -> Path:
    chosen = explicit or os.environ.get("FLOWMART_LANDING_DIR") or "landing"
    return Path(chosen).expanduser().resolve()


def memory_limit() -> str:
    """DuckDB's memory limit for dbt and the gate: $FLOWMART_MEMORY_LIMIT when it reads like ``3GB``."""
    limit = os.environ.get("FLOWMART_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT).strip()
    return limit if re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, re.IGNORECASE) else DEFAULT_MEMORY_LIMIT


def dbt_threads() -> int:
    value = os.environ.get("FLOWMART_DBT_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_DBT_THREADS


def landing_workers() -> int:
    """Batches of pages landed side by side: $FLOWMART_LANDING_WORKERS, else one per core, at most 4
    (docs/adr/0075)."""
    value = os.environ.get("FLOWMART_LANDING_WORKERS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    return max(1, min(4, os.cpu_count() or 1))


def drop_people() -> bool:
    """$FLOWMART_DROP_PEOPLE is on (1, true, yes): landings pseudonymise people (:mod:`flowmart.people`)."""
    return os.environ.get("FLOWMART_DROP_PEOPLE", "").strip().lower() in ("1", "true", "yes", "on")
