"""Paths and settings that come from the environment, read in one place.

| variable | default | what |
|---|---|---|
| ``FLOWMART_DB`` | ``./warehouse/flowmart.duckdb`` | the warehouse work file |
| ``FLOWMART_LANDING_DIR`` | ``./landing`` | the folder the Dagster sensor and landing assets read |
| ``FLOWMART_PUBLISH_DIR`` | ``<warehouse folder>/published`` | where published versions go |
| ``FLOWMART_MEMORY_LIMIT`` | from the warehouse | DuckDB's memory limit for dbt and the gate (it spills beyond it): by default, for dbt the warehouse file's size, at least 3GB, at most half the machine's memory (:func:`memory_limit`); for the gate 3GB, at most half the machine (:func:`gate_memory_limit`) |
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
DEFAULT_MEMORY_LIMIT = "3GB"  # the least default, and the limit of a direct `dbt` run (profiles.yml)
GB = 1000**3  # DuckDB's GB (GiB is 1024**3)
DEFAULT_DBT_THREADS = 2


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The warehouse file: an explicit path, else $FLOWMART_DB, else ./warehouse/flowmart.duckdb."""
    chosen = explicit or os.environ.get("FLOWMART_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def landing_dir(explicit: str | os.PathLike | None = None) -> Path:
    chosen = explicit or os.environ.get("FLOWMART_LANDING_DIR") or "landing"
    return Path(chosen).expanduser().resolve()


def memory_limit(db: str | os.PathLike | None = None) -> str:
    """DuckDB's memory limit for dbt and the gate: $FLOWMART_MEMORY_LIMIT when it reads like ``3GB``, else
    :func:`default_memory_limit` for the warehouse file ``db``."""
    limit = os.environ.get("FLOWMART_MEMORY_LIMIT", "").strip()
    if re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, re.IGNORECASE):
        return limit
    size = Path(db).stat().st_size if db is not None and Path(db).is_file() else 0
    return default_memory_limit(size, machine_memory())


def gate_memory_limit() -> str:
    """DuckDB's memory limit for the quality gate: $FLOWMART_MEMORY_LIMIT when it reads like ``3GB``, else
    the least default (3GB, at most half the machine). The gate's lookups spill well under it: at ten
    million items a larger limit only let DuckDB's cache fill (12.0 GB against 5.6 GB, no faster;
    docs/adr/0079)."""
    return memory_limit()  # no warehouse: the least default


def default_memory_limit(warehouse_bytes: int, machine_bytes: int | None) -> str:
    """The warehouse file's size in whole GB rounded up, at least 3GB, at most half the machine's memory
    (rounded down, at least 1GB); 3GB when the machine's memory is unknown (docs/adr/0079).

    A build's working set grows with the data: ten million items (a 12 GB warehouse) fail to build under
    3GB and build under 12GB, while a million items (under 2 GB) build as fast under 3GB as under 16GB
    (docs/benchmarks.md). Half the machine leaves the rest to Python (dbt, pandas chunks of the gate)."""
    wanted = max(3, -(-warehouse_bytes // GB))
    if not machine_bytes:
        return DEFAULT_MEMORY_LIMIT
    return f"{max(1, min(wanted, machine_bytes // 2 // GB))}GB"


def machine_memory() -> int | None:
    """The memory this process may use, in bytes: its cgroup's limit (v2, then v1) when it has one below
    the physical memory, else the physical memory; None when neither can be read (e.g. on Windows)."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        physical = None
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and (physical is None or int(text) < physical):
            return int(text)
    return physical


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
