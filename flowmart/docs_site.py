"""`make docs`: build the dbt docs site (models, columns, lineage, exposures, analyses) and say where it is.

`dbt docs generate --static` writes target/static_index.html, one file with the manifest and catalog inside,
that opens straight from disk; target/index.html is the classic site for `flowmart dbt docs serve`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from flowmart import settings
from flowmart.dbt import DbtFailed, run_dbt
from flowmart.warehouse import Warehouse


def generate_docs(warehouse: Warehouse) -> Path:
    """Generate the docs site against the warehouse (column types come from it); return its path."""
    run_dbt(warehouse, ["docs", "generate", "--static"])
    return settings.PROJECT_DIR / "target" / "static_index.html"


def has_marts(warehouse: Warehouse) -> bool:
    try:
        with warehouse.connect(read_only=True) as con:
            return con.execute("select count(*) from duckdb_tables() where schema_name = 'marts'").fetchone()[0] > 0
    except duckdb.Error:
        return False


def main() -> int:
    warehouse = Warehouse.at()
    try:
        static = generate_docs(warehouse)
    except DbtFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"dbt docs site: {static}")
    print(
        "  open it in a browser (one file, works offline), or serve the classic site with: "
        f"flowmart dbt docs serve (then {static.parent / 'index.html'} is used)"
    )
    if not has_marts(warehouse):
        print(
            f"  note: {warehouse} has no built marts yet, so the site shows descriptions without column types; "
            "run `make demo` (or `flowmart build`) and `make docs` again",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
