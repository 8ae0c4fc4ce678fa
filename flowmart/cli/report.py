"""`flowmart report`: the semiannual value-stream review (flowmart/report)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from flowmart import pipeline
from flowmart.cli.output import UserError, add_db_option
from flowmart.warehouse import Warehouse


def run(args: argparse.Namespace) -> int:
    from flowmart.report.build import default_half, fiscal_start_month
    from flowmart.report.periods import Half

    warehouse = Warehouse.at(args.db)
    try:
        half = Half.parse(args.half, fiscal_start_month()) if args.half else default_half()
    except ValueError as exc:
        raise UserError(f"--half {exc}") from None
    today = datetime.now(UTC).date()
    if half.end > today:
        raise UserError(
            f"--half {half.label}: not complete until {half.end.isoformat()} (review a half-year that has ended)"
        )
    if args.weeks < 1:
        raise UserError(f"--weeks {args.weeks}: must be at least 1")
    if args.trials < 100:
        raise UserError(f"--trials {args.trials}: must be at least 100")
    from flowmart.report.build import NoWorkInHalf

    try:
        result = pipeline.review(
            warehouse,
            half,
            Path(args.out),
            html=not args.snapshots_only,
            pdf=not args.no_pdf,
            history_weeks=args.weeks,
            trials=args.trials,
            keep_build=Path(args.keep_build) if args.keep_build else None,
            built_as_of=args.built_as_of,
        )
    except NoWorkInHalf as exc:
        raise UserError(f"--half {exc}") from None
    for path in (result.html, result.pdf, result.as_of_db):
        if path:
            print(path)
    if args.snapshots_only:
        print(f"{result.snapshot_rows} numbers in marts.review_snapshots (review {half.label}) of {warehouse}")
    return 0


def register(subparsers) -> None:
    p = add_db_option(
        subparsers.add_parser(
            "report",
            help="write the semiannual value-stream review (HTML and PDF) for a half-year",
            description=(
                "Rebuild the marts as of the last second of the half-year in a work copy of the warehouse, store "
                "every number in marts.review_snapshots and write one self-contained HTML file and a PDF covering "
                "the portfolio and every value stream."
            ),
        )
    )
    p.add_argument("--half", metavar="YYYY-H1|YYYY-H2", help="the half-year to review (default: the last complete one)")
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder (default ./reports)")
    p.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    p.add_argument(
        "--snapshots-only",
        action="store_true",
        help="compute and store the numbers in marts.review_snapshots, write no document",
    )
    p.add_argument(
        "--weeks", type=int, default=12, help="weeks of daily throughput the forecasts draw from (default 12)"
    )
    p.add_argument("--trials", type=int, default=10_000, help="Monte Carlo trials per forecast (default 10000)")
    p.add_argument("--keep-build", metavar="PATH", help="keep the as-of work copy of the warehouse at PATH (audit)")
    p.add_argument(
        "--built-as-of",
        action="store_true",
        help="the warehouse is already built with as_of = the half-year's end: read it directly",
    )
    p.set_defaults(func=run)
