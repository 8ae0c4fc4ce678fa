"""`make docs`: build the dbt docs site (models, columns, lineage, exposures, analyses) and say where it is.

`dbt docs generate --static` writes target/static_index.html, one file with the manifest and catalog inside,
that opens straight from disk; target/index.html is the classic site for `dbt docs serve`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from orchestration import config
from orchestration.dbt_runner import DbtFailed, run_dbt


def generate_docs(db: Path) -> Path:
    """Generate the docs site against warehouse ``db`` (column types come from it); return its path."""
    run_dbt(db, ["docs", "generate", "--static"])
    return config.PROJECT_DIR / "target" / "static_index.html"


def has_marts(db: Path) -> bool:
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return (
                con.execute("select count(*) from duckdb_tables() where schema_name = 'marts'").fetchone()[0]
                > 0
            )
    except duckdb.Error:
        return False


def main() -> int:
    db = config.db_path()
    try:
        static = generate_docs(db)
    except DbtFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"dbt docs site: {static}")
    print(
        f"  open it in a browser (one file, works offline), or serve the classic site with: "
        f"dbt docs serve --project-dir {config.PROJECT_DIR} (then {static.parent / 'index.html'} is used)"
    )
    if not has_marts(db):
        print(
            f"  note: {db} has no built marts yet, so the site shows descriptions without column types; "
            "run `make demo` (or `flowmart build`) and `make docs` again",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
