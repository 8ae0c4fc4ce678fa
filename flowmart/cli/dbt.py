"""`flowmart dbt ARGS...`: run dbt by hand against the warehouse, the way Flowmart runs it.

The models read the tracker registry, the warehouse path and the build settings from ``--vars``
(flowmart/dbt.py), so plain `dbt` does not know them; this passes them, then any dbt arguments.
"""

from __future__ import annotations

import argparse

from flowmart import dbt
from flowmart.cli.build import as_of
from flowmart.cli.output import UserError, add_db_option
from flowmart.warehouse import Warehouse


def split_vars(arguments: list[str]) -> tuple[list[str], dict]:
    """The dbt arguments without their ``--vars`` (every occurrence), and those vars merged."""
    import yaml

    rest, values = [], {}
    items = iter(arguments)
    for argument in items:
        text = None
        if argument == "--vars":
            text = next(items, None)
            if text is None:
                raise UserError("--vars: give the vars as YAML, e.g. --vars '{github_assignment_starts_work: false}'")
        elif argument.startswith("--vars="):
            text = argument.removeprefix("--vars=")
        if text is None:
            rest.append(argument)
            continue
        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UserError(f"--vars {text}: not YAML ({str(exc).splitlines()[0]})") from None
        if not isinstance(parsed, dict):
            raise UserError(f"--vars {text}: expected a mapping, e.g. '{{as_of: \"2026-06-30 23:59:59\"}}'")
        values.update(parsed)
    return rest, values


def run(args: argparse.Namespace) -> int:
    command, extra_vars = split_vars([a for a in args.dbt_args if a != "--"])
    if not command:
        raise UserError("flowmart dbt: name a dbt command, e.g. `flowmart dbt build --select fct_work_items`")
    settings = dbt.DbtSettings(as_of=as_of(args.as_of), target=args.target, extra_vars=extra_vars)
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
                "to dbt, e.g. `flowmart dbt ls --select +fct_work_items` or `flowmart dbt docs serve`; a `--vars` "
                "given there is merged with Flowmart's."
            ),
        )
    )
    p.add_argument("--as-of", metavar="TIMESTAMP", help="the dbt var as_of (recompute as of this UTC time)")
    p.add_argument("--target", metavar="NAME", help="a profiles.yml target (default: duckdb)")
    p.add_argument("dbt_args", nargs=argparse.REMAINDER, metavar="DBT_ARGS", help="the dbt command and its arguments")
    p.set_defaults(func=run)
