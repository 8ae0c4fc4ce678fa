"""Session-wide test set-up."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# what the dbt manifest Dagster loads is parsed from (the registry's dbt var included)
MANIFEST_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "data-tests", "flowmart/trackers")


def pytest_sessionstart(session) -> None:
    """`make test` prepares Dagster's dbt manifest first (`make manifest`); a bare `pytest` after a change
    to the dbt project gets it prepared here, so the Dagster tests never load a stale one."""
    manifest = REPO / "target" / "dagster" / "manifest.json"
    newest = max(
        (
            p.stat().st_mtime
            for name in MANIFEST_INPUTS
            for p in [REPO / name, *(REPO / name).rglob("*")]
            if p.is_file()
        ),
        default=0.0,
    )
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return
    from orchestration.project import DBT_PROJECT

    DBT_PROJECT.preparer.prepare(DBT_PROJECT)
