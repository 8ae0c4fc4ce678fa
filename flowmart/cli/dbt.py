"""`flowmart dbt ARGS...`: run dbt by hand against the warehouse, the way Flowmart runs it.

The models read the tracker registry, the warehouse path and the build settings from ``--vars``
(flowmart/dbt.py), so plain `dbt` does not know them; this passes them, then any dbt arguments.
"""

from __future__ import annotations

import argparse

from flowmart import dbt
from flowmart.cli.output import UserError, add_db_option
from flowmart.warehouse import Warehouse


def run(args: argparse.Namespace) -> int:
    command = [a for a in args.dbt_args if a != "--"]
    if not command:
        raise UserError("flowmart dbt: name a dbt command, e.g. `flowmart dbt build --select fct_work_items`")
    settings = dbt.DbtSettings(as_of=args.as_of, target=args.target)
    try:
        dbt.run_dbt(Warehouse.at(args.db), command, settings)
    except dbt.DbtFailed as exc:
        raise UserError(str(exc)) from None
    return 0


def register(subparsers) -> None:
    p = add_db_option(
        subparsers.add_parser(
            "dbt",
            help="run a dbt command against the warehouse with Flowmart's settings (e.g. flowmart dbt test)",
            description=(
                "Run dbt in this project against the warehouse, passing what Flowmart's models read from --vars: "
                "the tracker registry, the warehouse path, threads and memory. Everything after the options goes "
                "to dbt, e.g. `flowmart dbt ls --select +fct_work_items` or `flowmart dbt docs serve`."
            ),
        )
    )
    p.add_argument("--as-of", metavar="TIMESTAMP", help="the dbt var as_of (recompute as of this UTC time)")
    p.add_argument("--target", metavar="NAME", help="a profiles.yml target (default: duckdb)")
    p.add_argument("dbt_args", nargs=argparse.REMAINDER, metavar="DBT_ARGS", help="the dbt command and its arguments")
    p.set_defaults(func=run)
