"""Shared fixtures for integration tests: real DuckDB files in tmp dirs, real dbt runs.

Shared between test modules — add fixtures, never change or remove one another module uses.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flowmart.dbt import run_dbt

REPO = Path(__file__).resolve().parents[2]
SHARED_DATASETS = REPO.parent / "shared" / "datasets" / "devlake-samples"


@pytest.fixture
def dbt():
    """Run dbt against a warehouse file: dbt(db, "build", "--select", "staging")."""

    def run(db: Path, *args: str) -> None:
        run_dbt(Path(db), list(args))

    return run


def project_copy(root: Path) -> Path:
    """A copy of the dbt project under ``root`` whose seeds or models a test may change."""
    import shutil

    project = root / "project"
    for name in ("models", "macros", "data-tests", "seeds"):
        shutil.copytree(REPO / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / name, project / name)
    return project


def query(db: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()
