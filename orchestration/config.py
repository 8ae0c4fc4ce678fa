"""Paths and settings shared by the CLI, the ingest code, Dagster and the tests."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("FLOWMART_PROJECT_DIR", Path(__file__).resolve().parent.parent))
DEFAULT_DB = Path("warehouse") / "flowmart.duckdb"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The warehouse file: an explicit path, else $FLOWMART_DB, else ./warehouse/flowmart.duckdb."""
    chosen = explicit or os.environ.get("FLOWMART_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def landing_dir(explicit: str | os.PathLike | None = None) -> Path:
    chosen = explicit or os.environ.get("FLOWMART_LANDING_DIR") or "landing"
    return Path(chosen).expanduser().resolve()
