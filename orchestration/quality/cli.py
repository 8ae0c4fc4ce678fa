"""`flowmart check`: the input quality gate alone (``flowmart build`` runs it before dbt)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration import config

DEFAULT_DOCS_DIR = Path("reports") / "data-docs"
EXIT_GATE_FAILED = 1


def settings_from_args(args: argparse.Namespace):
    from expectations.shared import GateSettings

    defaults = GateSettings()
    future = getattr(args, "future_tolerance_hours", None)
    before = getattr(args, "before_creation_tolerance_minutes", None)
    return GateSettings(
        future_tolerance_hours=defaults.future_tolerance_hours if future is None else future,
        before_creation_tolerance_minutes=defaults.before_creation_tolerance_minutes if before is None else before,
    )


def run_and_report(
    db: Path,
    docs_dir: Path | None = DEFAULT_DOCS_DIR,
    apply: bool = True,
    settings=None,
    chunk_rows: int | None = None,
    quarantine_files: list[str] | None = None,
    verbose: bool = True,
):
    """Run the gate on warehouse ``db`` and print what it found. Returns the GateReport.

    Critical failures go to stderr (one line each: expectation, how many rows, which file, examples);
    quarantined and warned checks to stdout; then the summary and where the Data Docs are.
    """
    import duckdb

    from orchestration.cli import Progress, UserError
    from orchestration.quality.gate import DEFAULT_CHUNK_ROWS, quarantine_files as set_aside, run_gate

    if not db.exists():
        raise UserError(f"{db}: no warehouse here yet (run `flowmart land` first)")
    progress = Progress("check")
    docs = Path(docs_dir).resolve() if docs_dir else None
    with duckdb.connect(str(db)) as con:
        if quarantine_files:
            for raw in quarantine_files:
                path = str(Path(raw).expanduser().resolve())
                landed = con.execute(
                    "select count(*) from raw.landing_log where status = 'landed' and file_path = ?", [path]
                ).fetchone()[0] if _has_landing_log(con) else 0
                if not landed:
                    raise UserError(f"{raw}: not a landed file (see raw.landing_log)")
            moved = set_aside(con, quarantine_files)
            print(f"set aside by hand: {sum(moved.values()):,} row(s) moved to raw.quarantine "
                  f"({', '.join(f'{t}: {n:,}' for t, n in moved.items()) or 'nothing left in raw'})")
        report = run_gate(
            con,
            settings=settings,
            chunk_rows=chunk_rows or DEFAULT_CHUNK_ROWS,
            apply=apply,
            docs_dir=docs,
            progress=lambda text: progress.update(text),
        )
    progress.done(report.summary())
    from expectations.shared import CRITICAL, QUARANTINE, WARNING

    for outcome in report.failures(CRITICAL):
        print(outcome.line(), file=sys.stderr)
    if verbose:
        for severity in (QUARANTINE, WARNING):
            for outcome in report.failures(severity):
                print(outcome.line())
    if report.quarantined:
        print("quarantined: " + ", ".join(f"raw.{t} {n:,}" for t, n in report.quarantined.items())
              + " (see raw.quarantine)")
    elif not report.failed and not apply and any(not o.success for o in report.failures(QUARANTINE)):
        print("dry run: nothing moved")
    if report.data_docs:
        print(f"Data Docs: {report.data_docs}")
    return report


def _has_landing_log(con) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'landing_log'"
    ).fetchone()[0])


def add_gate_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-docs", metavar="DIR", default=str(DEFAULT_DOCS_DIR),
                   help=f"where the GX Data Docs site goes (default ./{DEFAULT_DOCS_DIR})")
    p.add_argument("--no-data-docs", action="store_true", help="do not write Data Docs")
    p.add_argument("--future-tolerance-hours", type=_positive, metavar="HOURS",
                   help="a timestamp may lie this far after its file's landing time (default 24)")
    p.add_argument("--before-creation-tolerance-minutes", type=_positive, metavar="MINUTES",
                   help="a status change may lie this far before its item's creation (default 60)")


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


def cmd_check(args: argparse.Namespace) -> int:
    db = config.db_path(args.db)
    report = run_and_report(
        db,
        docs_dir=None if args.no_data_docs else Path(args.data_docs),
        apply=not args.dry_run,
        settings=settings_from_args(args),
        chunk_rows=args.chunk_rows,
        quarantine_files=args.quarantine_file,
        verbose=not args.quiet,
    )
    return EXIT_GATE_FAILED if report.failed else 0


def register(subparsers, with_db) -> None:
    p = with_db(subparsers.add_parser(
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
    ))
    add_gate_options(p)
    p.add_argument("--dry-run", action="store_true", help="validate and record results, move nothing")
    p.add_argument("--quarantine-file", action="append", metavar="PATH",
                   help="first move every row of this landed file to raw.quarantine (to set aside a file "
                        "that fails a critical check); repeatable")
    p.add_argument("--chunk-rows", type=_chunk, metavar="N",
                   help="rows per pandas batch handed to Great Expectations (default 1000000)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary and critical failures")
    p.set_defaults(func=cmd_check)


def gate_before_build(db: Path, args: argparse.Namespace) -> None:
    """`flowmart build` step 1: the gate. Raises UserError (one line) when a critical check failed, so
    dbt never runs and the marts keep their previous content."""
    from orchestration.cli import UserError

    if getattr(args, "skip_gate", False) or not db.exists():
        return  # nothing landed yet: nothing to guard (dbt creates the empty raw tables)
    report = run_and_report(
        db,
        docs_dir=None if getattr(args, "no_data_docs", False) else Path(getattr(args, "data_docs", DEFAULT_DOCS_DIR)),
        settings=settings_from_args(args),
        verbose=True,
    )
    if report.failed:
        from expectations.shared import CRITICAL

        raise UserError(
            f"quality gate failed ({len(report.failures(CRITICAL))} critical check(s), listed above): dbt did not run "
            "and the marts keep their previous content; fix or set aside the file(s) "
            "(flowmart check --quarantine-file PATH), then build again"
        )
