"""`make docs`: build the dbt docs site (models, columns, lineage, exposures, analyses) and serve it.

`dbt docs generate --static` writes target/static_index.html, one file with the manifest and catalog inside,
that opens straight from disk; ``--serve`` (what `make docs` runs) also serves it on http://127.0.0.1:8080/
until Ctrl-C.
"""

from __future__ import annotations

import argparse
import functools
import http.server
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


def serve(site: Path, port: int) -> None:
    """Serve the site's folder on 127.0.0.1:``port`` until Ctrl-C."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site.parent))
    handler.log_message = lambda *args: None  # quiet: one line per request is noise here
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"serving the docs site on http://127.0.0.1:{port}/{site.name} (Ctrl-C to stop)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flowmart.docs_site",
        description="Build the dbt docs site of the warehouse ($FLOWMART_DB) and say where it is, or serve it.",
    )
    parser.add_argument("--serve", action="store_true", help="serve it on 127.0.0.1 until Ctrl-C")
    parser.add_argument("--port", type=int, default=8080, help="the port to serve on (default 8080)")
    args = parser.parse_args(argv)
    warehouse = Warehouse.at()
    try:
        static = generate_docs(warehouse)
    except DbtFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"dbt docs site: {static} (one file: open it in a browser, it works offline)")
    if not has_marts(warehouse):
        print(
            f"  note: {warehouse} has no built marts yet, so the site shows descriptions without column types; "
            "run `make demo` (or `flowmart build`) and `make docs` again",
            file=sys.stderr,
        )
    if args.serve:
        try:
            serve(static, args.port)
        except OSError as exc:
            print(f"error: 127.0.0.1:{args.port}: {exc.strerror} (pass --port)", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
