"""`flowmart check`: the input quality gate alone (``flowmart build`` runs it before dbt)."""

from __future__ import annotations

import argparse
from pathlib import Path

from flowmart import pipeline
from flowmart.cli.output import EXIT_REFUSED, UserError, add_db_option, console, status
from flowmart.warehouse import Warehouse

DEFAULT_DOCS_DIR = pipeline.DEFAULT_DOCS_DIR


def gate_options(args: argparse.Namespace, apply: bool = True) -> pipeline.GateOptions:
    from expectations.shared import GateSettings

    defaults = GateSettings()
    future = getattr(args, "future_tolerance_hours", None)
    before = getattr(args, "before_creation_tolerance_minutes", None)
    return pipeline.GateOptions(
        settings=GateSettings(
            future_tolerance_hours=defaults.future_tolerance_hours if future is None else future,
            before_creation_tolerance_minutes=defaults.before_creation_tolerance_minutes if before is None else before,
        ),
        docs_dir=None if args.no_data_docs else Path(args.data_docs),
        chunk_rows=getattr(args, "chunk_rows", None),
        apply=apply,
        full=getattr(args, "validate_all", False),
    )


def print_report(report, verbose: bool = True) -> None:
    """What the gate found: critical failures on stderr (one line each: expectation, how many rows, which
    file, examples); quarantined and warned checks on stdout; then the summary and where the Data Docs are."""
    from expectations.shared import CRITICAL, QUARANTINE, WARNING

    console.print(report.summary(), markup=False, highlight=False)
    for outcome in report.failures(CRITICAL):
        console.print(outcome.line(), markup=False, highlight=False)
    if verbose:
        for severity in (QUARANTINE, WARNING):
            for outcome in report.failures(severity):
                print(outcome.line())
    if report.quarantined:
        print(
            "quarantined: "
            + ", ".join(f"raw.{t} {n:,}" for t, n in report.quarantined.items())
            + " (see raw.quarantine)"
        )
    elif not report.failed and not report.applied and any(not o.success for o in report.failures(QUARANTINE)):
        print("dry run: nothing moved")
    if report.data_docs:
        print(f"Data Docs: {report.data_docs}")


def landed_files(warehouse: Warehouse, paths: list[str]) -> list[str]:
    """``paths`` resolved; each must be a file that was landed."""
    resolved = []
    with warehouse.connect(read_only=True) as con:
        for raw in paths:
            path = str(Path(raw).expanduser().resolve())
            landed = con.execute(
                "select count(*) from raw.landing_log where status = 'landed' and file_path = ?", [path]
            ).fetchone()[0]
            if not landed:
                raise UserError(f"{raw}: not a landed file (see raw.landing_log)")
            resolved.append(path)
    return resolved


def run(args: argparse.Namespace) -> int:
    warehouse = Warehouse.at(args.db)
    if not warehouse.exists():
        raise UserError(f"{warehouse}: no warehouse here yet (run `flowmart land` first)")
    warehouse.ensure_raw_schema()
    files = landed_files(warehouse, args.quarantine_file or [])
    with warehouse.writing():
        if files:
            moved = pipeline.set_aside(warehouse, files)
            print(
                f"set aside by hand: {sum(moved.values()):,} row(s) moved to raw.quarantine "
                f"({', '.join(f'{t}: {n:,}' for t, n in moved.items()) or 'nothing left in raw'})"
            )
        with status("check") as update:
            report = pipeline.gate(warehouse, gate_options(args, apply=not args.dry_run), progress=update)
    print_report(report, verbose=not args.quiet)
    return EXIT_REFUSED if report.failed else 0


def add_gate_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-docs",
        metavar="DIR",
        default=str(DEFAULT_DOCS_DIR),
        help=f"where the GX Data Docs site goes (default ./{DEFAULT_DOCS_DIR})",
    )
    p.add_argument("--no-data-docs", action="store_true", help="do not write Data Docs")
    p.add_argument(
        "--validate-all",
        action="store_true",
        help="validate the rows of every landed file again (default: only the files landed since the last passed "
        "run, unless the checks, seeds or tolerances changed)",
    )
    p.add_argument(
        "--future-tolerance-hours",
        type=_positive,
        metavar="HOURS",
        help="a timestamp may lie this far after its file's landing time (default 24)",
    )
    p.add_argument(
        "--before-creation-tolerance-minutes",
        type=_positive,
        metavar="MINUTES",
        help="a status change may lie this far before its item's creation (default 60)",
    )


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def _chunk(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1000:
        raise argparse.ArgumentTypeError("must be at least 1000")
    return value


def register(subparsers) -> None:
    p = add_db_option(
        subparsers.add_parser(
            "check",
            help="run the input quality gate (Great Expectations) on the landed raw data",
            description=(
                "Validate every raw table with its Great Expectations suite (expectations/). Critical failures "
                "(e.g. a required column missing, a file refused at landing, a whole file unusable) fail the gate "
                "and move nothing; rows failing a row-level check (e.g. a change without timestamp) move to "
                "raw.quarantine; warnings (e.g. unmapped statuses) are reported only. Results go to "
                "raw.validation_results and a Data Docs site. Exit code 1 when a critical check failed. "
                "`flowmart build` runs the same gate before dbt."
            ),
        )
    )
    add_gate_options(p)
    p.add_argument("--dry-run", action="store_true", help="validate and record results, move nothing")
    p.add_argument(
        "--quarantine-file",
        action="append",
        metavar="PATH",
        help="first move every row of this landed file to raw.quarantine (to set aside a file "
        "that fails a critical check); repeatable",
    )
    p.add_argument(
        "--chunk-rows",
        type=_chunk,
        metavar="N",
        help="rows per pandas batch handed to Great Expectations (default 1000000)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary and critical failures")
    p.set_defaults(func=run)
