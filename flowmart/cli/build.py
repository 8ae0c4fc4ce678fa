"""`flowmart build`: the input quality gate, then `dbt build`, then publishing (flowmart/pipeline.py)."""

from __future__ import annotations

import argparse

from flowmart import pipeline
from flowmart.cli.check import add_gate_options, gate_options, print_report
from flowmart.cli.output import UserError, add_db_option, say, status
from flowmart.cli.publish import print_published
from flowmart.warehouse import Warehouse


def run(args: argparse.Namespace) -> int:
    warehouse = Warehouse.at(args.db)
    options = pipeline.BuildOptions(as_of=as_of(args.as_of), full_refresh=args.full_refresh, select=args.select)
    with status("check") as update:
        result = pipeline.refresh(
            warehouse,
            options,
            gate_options=None if args.skip_gate else gate_options(args),
            publish_after=not args.no_publish,
            on_gate=lambda report: print_report(report),
            say=say,
            gate_progress=update,
            allow_empty=args.allow_empty,
        )
    print(f"warehouse built: {warehouse}")
    if result.published:
        print_published(result.published)
    return 0


def as_of(text: str | None) -> str | None:
    """--as-of as a timestamp (it reaches SQL), or a one-line refusal."""
    if text is None:
        return None
    from flowmart.dbt import parse_as_of

    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def register(subparsers) -> None:
    p = add_db_option(
        subparsers.add_parser(
            "build",
            help="check the inputs, build the warehouse (dbt seed, run and test) and publish the marts",
            description=(
                "Run the input quality gate, then `dbt build` on the landed data (staging, intermediate and mart "
                "models, seeds and tests), then publish the marts for readers (docs/serving.md). Another landing "
                "waits until the build has published."
            ),
        )
    )
    p.add_argument("--as-of", metavar="TIMESTAMP", help="recompute as of this UTC time, e.g. '2026-06-30 23:59:59'")
    p.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    p.add_argument("--select", metavar="SELECTOR", help="dbt node selection (default: everything)")
    add_gate_options(p)  # the input quality gate runs first (flowmart check --help)
    p.add_argument("--skip-gate", action="store_true", help="do not run the input quality gate before dbt")
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="build a warehouse with nothing landed, and publish marts without work items over ones with",
    )
    p.add_argument(
        "--no-publish",
        action="store_true",
        help="do not publish the marts afterwards (publishing is skipped anyway with --select or --as-of)",
    )
    p.set_defaults(func=run)
