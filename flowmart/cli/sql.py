"""`flowmart sql`: query the published marts from a terminal, read-only."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from flowmart.cli.output import UserError, add_db_option
from flowmart.publishing import CURRENT, MARTS_FILE, published_dir_for
from flowmart.warehouse import Warehouse


def published_marts(args: argparse.Namespace) -> Path:
    """The current published marts file of the warehouse (or the file ``--file`` names)."""
    if args.file:
        path = Path(args.file).expanduser()
        if not path.is_file():
            raise UserError(f"{path}: no such file")
        return path
    warehouse = Warehouse.at(args.db)
    path = published_dir_for(warehouse.path, args.out) / CURRENT / MARTS_FILE
    if not path.is_file():
        raise UserError(f"{path}: nothing published yet (run `flowmart build`, or `flowmart demo`)")
    return path


def duckdb_shell() -> str | None:
    """The `duckdb` shell installed beside this Python (the duckdb-cli package), else one on PATH."""
    beside = Path(sys.executable).parent / "duckdb"
    return str(beside) if beside.is_file() else shutil.which("duckdb")


def run(args: argparse.Namespace) -> int:
    import duckdb

    marts = published_marts(args)
    query = args.query if args.query is not None else (None if sys.stdin.isatty() else sys.stdin.read())
    if query is None:  # interactive: DuckDB's own shell, read-only on the published file
        shell = duckdb_shell()
        if not shell:
            raise UserError("no `duckdb` shell found (pip install duckdb-cli); pass a query instead")
        os.execv(shell, [shell, "-readonly", str(marts)])
    if not query.strip():
        raise UserError("the query is empty")
    with duckdb.connect(str(marts), read_only=True) as con:
        try:
            relation = con.sql(query)
        except duckdb.Error as exc:
            raise UserError(f"{marts}: {str(exc).strip().splitlines()[0]}") from None
        if relation is None:
            return 0
        if args.csv:
            frame = relation.df()
            frame.to_csv(sys.stdout, index=False)
        else:
            print(relation)
    return 0


def register(subparsers) -> None:
    p = add_db_option(
        subparsers.add_parser(
            "sql",
            help="query the published marts (read-only): a query prints its result; none opens the duckdb shell",
            description=(
                "Run SQL against the current published marts of the warehouse "
                "(<warehouse folder>/published/current/flowmart.duckdb), opened read-only: the same file BI tools "
                "read, never the work file a build writes. With a QUERY (or SQL on standard input) the result is "
                "printed; without, DuckDB's own shell opens on the file (the duckdb-cli package Flowmart installs). "
                "Tables: marts.* (docs/metrics.md), meta.publication."
            ),
        )
    )
    p.add_argument("query", nargs="?", metavar="QUERY", help='the SQL to run, e.g. "show all tables"')
    p.add_argument(
        "--out", metavar="DIR", help="the published folder (default: $FLOWMART_PUBLISH_DIR, else beside the warehouse)"
    )
    p.add_argument("--file", metavar="PATH", help="query this DuckDB file instead (read-only)")
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    p.set_defaults(func=run)
