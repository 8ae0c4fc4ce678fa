"""`flowmart generate`: deterministic demo Jira exports of a fictional company (flowmart/demo)."""

from __future__ import annotations

import argparse
import time
from datetime import date

from flowmart.cli.output import UserError, counted, say
from flowmart.demo import EXPORT_END


def run(args: argparse.Namespace) -> int:
    from flowmart.demo.jira import generate

    try:
        end = date.fromisoformat(args.end) if args.end else EXPORT_END
    except ValueError:
        raise UserError(f"--end {args.end}: not a date (YYYY-MM-DD)") from None
    if args.items < 1:
        raise UserError(f"--items {args.items}: must be at least 1")
    started = time.perf_counter()
    with counted("generate", args.items, unit="items") as advance:
        summary = generate(
            args.out,
            items=args.items,
            seed=args.seed,
            end=end,
            page_size=args.page_size,
            progress=lambda done, total: advance(done),
        )
    say(
        f"generate: {summary.get('items', args.items):,} items, {summary.get('status_changes', 0):,} status changes, "
        f"{summary.get('files', 0):,} files, {summary.get('bytes', 0) / 1e6:,.1f} MB in "
        f"{time.perf_counter() - started:,.1f} s -> {args.out}"
    )
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "generate",
        help="write realistic demo Jira exports for a fictional company",
        description="Generate deterministic Jira REST exports (search pages, changelog pages, status lists).",
    )
    p.add_argument("--items", type=int, default=5000, help="number of work items (default 5000)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument(
        "--end",
        metavar="YYYY-MM-DD",
        help="the export moment (00:00 UTC): every generated event lies before it (default 2026-11-15)",
    )
    p.add_argument("--page-size", type=int, default=100, help="issues per search page (default 100)")
    p.set_defaults(func=run)
