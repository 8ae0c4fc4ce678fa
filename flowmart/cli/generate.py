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
    try:
        since = date.fromisoformat(args.since) if args.since else None
    except ValueError:
        raise UserError(f"--since {args.since}: not a date (YYYY-MM-DD)") from None
    if since is not None and since >= end:
        raise UserError(f"--since {since}: must be before --end {end}")
    if args.items < 1:
        raise UserError(f"--items {args.items}: must be at least 1")
    started = time.perf_counter()
    with counted("generate", args.items, unit="items") as advance:
        summary = generate(
            args.out,
            items=args.items,
            seed=args.seed,
            end=end,
            since=since,
            page_size=args.page_size,
            compress=args.gzip,
            resume=args.resume,
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
    p.add_argument(
        "--items", type=int, default=5000, help="work items over the company's whole timeline (default 5000)"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument(
        "--end",
        metavar="YYYY-MM-DD",
        help="the export moment (00:00 UTC): the issues created before it, as they were then (default 2026-11-15); "
        "the company's timeline is the same for every --end up to 2026-11-15, so successive --end dates give "
        "successive exports of the same issues (ids and keys)",
    )
    p.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        help='only the issues updated on or after this day, as a JQL `updated >= "..."` export (a daily delta)',
    )
    p.add_argument("--page-size", type=int, default=100, help="issues per search page (default 100)")
    p.add_argument(
        "--gzip",
        action="store_true",
        help="write every page gzip-compressed (.json.gz, about a sixteenth of the bytes; `flowmart land` reads them)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="carry on an interrupted run into the same --out with the same arguments from where it saved its "
        "place (every minute), instead of starting again; the files are the same as an uninterrupted run's",
    )
    p.set_defaults(func=run)
