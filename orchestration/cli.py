"""The `flowmart` command line: land, build, generate, demo.

User errors print one line naming the file and the reason and exit non-zero, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from orchestration import config

# Modules that add subcommands (check, report, publish, ...): each defines register(subparsers, with_db).
EXTRA_COMMAND_MODULES: list[str] = ["orchestration.serving.commands", "orchestration.report", "orchestration.quality.cli"]

EXIT_USER_ERROR = 2
# The demo data ends on 2026-11-15, so its last complete half-year is pinned: the demo report never changes.
DEMO_REVIEW_HALF = "2026-H1"
EXIT_REFUSED = 1


class UserError(Exception):
    """An error caused by the user's input: shown as one line, exit code 2, no traceback."""


class Progress:
    """One status line on stderr: rewritten in place on a terminal, printed every few seconds otherwise."""

    def __init__(self, label: str, interval: float = 2.0):
        self.label = label
        self.started = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.interval = interval
        self.last = 0.0

    def update(self, text: str, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and not self.tty and now - self.last < self.interval:
            return
        self.last = now
        line = f"{self.label}: {text}"
        if self.tty:
            sys.stderr.write("\r\033[K" + line)
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def done(self, text: str) -> None:
        if self.tty:
            sys.stderr.write("\r\033[K")
        sys.stderr.write(f"{self.label}: {text}\n")
        sys.stderr.flush()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


# ---------------------------------------------------------------------------------------------
# commands


def cmd_land(args: argparse.Namespace) -> int:
    from orchestration.ingest import land

    db = config.db_path(args.db)
    for raw in args.paths:
        if not Path(raw).exists():
            raise UserError(f"{raw}: no such file or folder")
    return land_and_report(db, args.paths, source=args.source, instance=args.instance, quiet=args.quiet)


def land_and_report(db: Path, paths, source=None, instance=None, quiet=False) -> int:
    from orchestration.ingest import land

    progress = Progress("land")
    totals = {"rows": 0, "bytes": 0, "landed": 0, "skipped": 0, "refused": 0}

    def on_file(i: int, n: int, result) -> None:
        totals[result.status] += 1
        totals["rows"] += result.rows_total
        totals["bytes"] += result.bytes if result.status == "landed" else 0
        if result.status == "refused":
            # the one-line error for a bad file, always shown
            if progress.tty:
                sys.stderr.write("\r\033[K")
            print(f"error: {result.path}: {result.reason}", file=sys.stderr)
        elapsed = max(progress.elapsed, 1e-9)
        mb = totals["bytes"] / 1e6
        progress.update(
            f"{i}/{n} files, {totals['rows']:,} rows, {mb:,.1f} MB, {mb / elapsed:,.1f} MB/s, "
            f"{totals['rows'] / elapsed:,.0f} rows/s",
            force=(i == n),
        )

    results = land(db, paths, source=source, instance=instance, progress=on_file)
    elapsed = max(progress.elapsed, 1e-9)
    mb = totals["bytes"] / 1e6
    progress.done(
        f"{totals['landed']} landed, {totals['skipped']} skipped (already landed), {totals['refused']} refused; "
        f"{totals['rows']:,} rows, {mb:,.1f} MB in {elapsed:,.1f} s "
        f"({mb / elapsed:,.1f} MB/s, {totals['rows'] / elapsed:,.0f} rows/s) -> {db}"
    )
    if not quiet:
        for result in results:
            if result.status == "landed":
                print(result.line())
    if not results:
        raise UserError(f"{', '.join(map(str, paths))}: no .json or .csv files found")
    return EXIT_REFUSED if totals["refused"] else 0


def cmd_build(args: argparse.Namespace) -> int:
    from orchestration.dbt_runner import DbtFailed, build
    from orchestration.quality.cli import gate_before_build

    db = config.db_path(args.db)
    gate_before_build(db, args)  # the input quality gate: a critical failure stops here, before dbt
    try:
        build(db, as_of=getattr(args, "as_of", None), full_refresh=getattr(args, "full_refresh", False),
              select=getattr(args, "select", None))
    except DbtFailed as exc:
        raise UserError(str(exc)) from None
    print(f"warehouse built: {db}")
    if not (getattr(args, "no_publish", False) or getattr(args, "select", None) or getattr(args, "as_of", None)):
        from orchestration.serving.commands import publish_and_report

        publish_and_report(db)  # readers switch to the new version atomically
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from datetime import date

    from orchestration.generate import generate

    try:
        end = date.fromisoformat(args.end) if args.end else date(2026, 11, 15)
    except ValueError:
        raise UserError(f"--end {args.end}: not a date (YYYY-MM-DD)") from None
    if args.items < 1:
        raise UserError(f"--items {args.items}: must be at least 1")
    progress = Progress("generate")
    summary = generate(
        args.out,
        items=args.items,
        seed=args.seed,
        end=end,
        page_size=args.page_size,
        progress=lambda done, total: progress.update(f"{done:,}/{total:,} items ({done / max(progress.elapsed, 1e-9):,.0f}/s)"),
    )
    progress.done(
        f"{summary.get('items', args.items):,} items, {summary.get('status_changes', 0):,} status changes, "
        f"{summary.get('files', 0):,} files, {summary.get('bytes', 0) / 1e6:,.1f} MB in {progress.elapsed:,.1f} s -> {args.out}"
    )
    return 0


EXAMPLE_QUERIES = [
    (
        "Flow velocity and flow time per value stream, last 6 months",
        """select value_stream_id, period_start, flow_velocity, flow_time_p50_days, flow_time_p85_days, flow_efficiency
from marts.fct_flow_metrics
where period_grain = 'month' and flow_item_type = 'all' and value_stream_id <> 'all'
order by period_start desc, value_stream_id
limit 12""",
    ),
    (
        "Flow distribution of finished work per stream, last complete half-year",
        """select value_stream_id, flow_item_type, flow_velocity, round(flow_distribution_pct, 1) as pct
from marts.fct_flow_metrics
where period_grain = 'half_year' and flow_item_type <> 'all'
  and period_start = (select max(period_start) from marts.fct_flow_metrics
                      where period_grain = 'half_year' and period_start + interval 6 month <= current_date)
order by value_stream_id, flow_item_type""",
    ),
    (
        "Oldest work in progress (aging WIP) among the four flow items",
        """select work_item_id, value_stream_id, flow_item_type, current_status, round(age_days, 1) as age_days
from marts.fct_work_items
where is_wip and flow_item_type <> 'unmapped'  -- unmapped: epics, sub-tasks (see marts.fct_data_quality)
order by age_days desc
limit 10""",
    ),
]


def print_examples(db: Path, published: Path) -> None:
    import duckdb

    print(f"\nThe warehouse (work file, written by builds): {db}")
    print(f"The published marts (read-only, always complete): {published}")
    print(f"Query them with: duckdb -readonly {published}")
    print(f"            or: python -c \"import duckdb; print(duckdb.connect('{published}', read_only=True).sql('show all tables'))\"\n")
    with duckdb.connect(str(published), read_only=True) as con:
        for title, sql in EXAMPLE_QUERIES:
            print(f"-- {title}\n{sql};\n")
            try:
                print(con.sql(sql))
            except duckdb.Error as exc:
                print(f"(not available yet: {str(exc).splitlines()[0]})\n")


def cmd_demo(args: argparse.Namespace) -> int:
    from orchestration.dbt_runner import DbtFailed, build
    from orchestration.generate import generate
    from orchestration.generate_trackers import generate_trackers
    from orchestration.quality.cli import gate_before_build
    from orchestration.serving.commands import publish_and_report

    db = config.db_path(args.db)
    out = Path(args.out)
    print(f"1/6 generating the demo exports ({args.items:,} Jira items, GitHub and Azure Boards) into {out}",
          file=sys.stderr)
    progress = Progress("generate")
    generate(out, items=args.items, seed=args.seed,
             progress=lambda done, total: progress.update(f"{done:,}/{total:,} items"))
    generate_trackers(out, items=max(args.items // 12, 40), seed=args.seed)
    progress.done(f"done in {progress.elapsed:,.1f} s")
    print(f"2/6 landing them in {db}", file=sys.stderr)
    refused = land_and_report(db, [out], quiet=True)
    if refused:
        raise UserError(f"{out}: some demo files were refused (see above)")
    print("3/6 checking the inputs (Great Expectations quality gate)", file=sys.stderr)
    gate_before_build(db, args)
    print("4/6 building the warehouse with dbt", file=sys.stderr)
    try:
        build(db, as_of=args.as_of)
    except DbtFailed as exc:
        raise UserError(str(exc)) from None
    print(f"5/6 writing the semiannual review report for {DEMO_REVIEW_HALF}", file=sys.stderr)
    from orchestration.report.build import fiscal_start_month, make_report
    from orchestration.report.periods import Half

    try:
        report = make_report(db, Half.parse(DEMO_REVIEW_HALF, fiscal_start_month()), Path(args.reports))
    except DbtFailed as exc:
        raise UserError(str(exc)) from None
    print("6/6 publishing the marts for BI tools and analysts", file=sys.stderr)
    published = publish_and_report(db)
    print_examples(db, published.marts_file)
    print(f"\nThe {DEMO_REVIEW_HALF} value-stream review: {report.html}" + (f"\n  and as PDF: {report.pdf}" if report.pdf else ""))
    return 0


# ---------------------------------------------------------------------------------------------
# parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowmart",
        description="Flowmart: Flow Framework value-stream analytics from tracker exports (DuckDB + dbt + Dagster).",
    )
    parser.add_argument("--version", action="version", version="flowmart 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--db",
            metavar="PATH",
            help="DuckDB warehouse file (default: $FLOWMART_DB, else ./warehouse/flowmart.duckdb)",
        )
        return p

    p = with_db(sub.add_parser(
        "land",
        help="land tracker export files (or folders of them) in the warehouse's raw schema",
        description=(
            "Land Jira REST exports (search pages with expand=changelog, changelog pages, status lists), "
            "GitHub issue and issue-event pages, GitLab issues with resource state/label events, Azure Boards "
            "work items and updates, Linear CSV exports (docs/trackers.md) and "
            "CSV interchange files (work_items.csv, status_changes.csv) in the raw schema. Files already landed "
            "are skipped; a bad file is refused with its reason (and recorded in raw.landing_log) while the "
            "others land. Exit code 1 when any file was refused."
        ),
    ))
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively for .json/.csv)")
    p.add_argument(
        "--source",
        choices=["jira", "csv", "github", "gitlab", "azure", "linear"],
        help="the tracker the files come from (default: detected; see docs/trackers.md)",
    )
    p.add_argument(
        "--instance",
        help="tracker instance when the files do not say: Jira site host, GitHub owner/repo, GitLab group/project, "
        "Azure DevOps organization, Linear workspace (required for Linear CSV exports)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary and errors")
    p.set_defaults(func=cmd_land)

    p = with_db(sub.add_parser(
        "build",
        help="check the inputs, build the warehouse (dbt seed, run and test) and publish the marts",
        description=(
            "Run the input quality gate, then `dbt build` on the landed data (staging, intermediate and mart "
            "models, seeds and tests), then publish the marts for readers (docs/serving.md)."
        ),
    ))
    p.add_argument("--as-of", metavar="TIMESTAMP", help="recompute as of this UTC time, e.g. '2026-06-30 23:59:59'")
    p.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    p.add_argument("--select", metavar="SELECTOR", help="dbt node selection (default: everything)")
    from orchestration.quality.cli import add_gate_options

    add_gate_options(p)  # the input quality gate runs first (flowmart check --help)
    p.add_argument("--skip-gate", action="store_true", help="do not run the input quality gate before dbt")
    p.add_argument("--no-publish", action="store_true",
                   help="do not publish the marts afterwards (publishing is skipped anyway with --select or --as-of)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "generate",
        help="write realistic demo Jira exports for a fictional company",
        description="Generate deterministic Jira REST exports (search pages, changelog pages, status lists).",
    )
    p.add_argument("--items", type=int, default=5000, help="number of work items (default 5000)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--end", metavar="YYYY-MM-DD",
                   help="the export moment (00:00 UTC): every generated event lies before it (default 2026-11-15)")
    p.add_argument("--page-size", type=int, default=100, help="issues per search page (default 100)")
    p.set_defaults(func=cmd_generate)

    p = with_db(sub.add_parser(
        "demo",
        help="generate the demo exports, land them, build the warehouse and print example queries",
        description="The whole pipeline on the embedded demo data set.",
    ))
    p.add_argument("--items", type=int, default=5000, help="demo size in work items (default 5000)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--out", default="demo-data", metavar="DIR", help="where the demo exports go (default ./demo-data)")
    p.add_argument("--as-of", metavar="TIMESTAMP", help="build as of this UTC time (default now)")
    p.add_argument("--reports", default="reports", metavar="DIR",
                   help=f"where the {DEMO_REVIEW_HALF} review report goes (default ./reports)")
    p.set_defaults(func=cmd_demo)

    # Commands owned by other modules: each has register(subparsers, with_db) adding its parser(s).
    import importlib

    for module_name in EXTRA_COMMAND_MODULES:
        importlib.import_module(module_name).register(sub, with_db)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        name = exc.filename or ""
        print(f"error: {name}{': ' if name else ''}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:  # a locked or unreadable warehouse file is a user-facing problem, not a crash
        import duckdb

        if not isinstance(exc, duckdb.Error):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"error: {config.db_path(getattr(args, 'db', None))}: {first}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
