"""`flowmart land`: land tracker exports in the warehouse's raw schema."""

from __future__ import annotations

import argparse
from pathlib import Path

from flowmart import pipeline, settings, trackers
from flowmart.cli.output import EXIT_REFUSED, UserError, add_db_option, counted, error, say
from flowmart.warehouse import Warehouse


def land_and_report(
    warehouse: Warehouse, paths, source=None, instance=None, quiet=False, drop_people=False, workers=None
) -> int:
    """Land ``paths``, showing progress and every refused file; returns the exit code."""
    import time

    from flowmart.landing import expand_paths, unsupported_files

    started = time.perf_counter()
    totals = {"rows": 0, "bytes": 0, "landed": 0, "skipped": 0, "refused": 0}
    total_files = len(expand_paths(paths))
    with counted("land", total_files) as advance:

        def on_file(i: int, n: int, result) -> None:
            totals[result.status] += 1
            totals["rows"] += result.rows_total
            totals["bytes"] += result.bytes if result.status == "landed" else 0
            if result.status == "refused":
                error(f"{result.path}: {result.reason}")  # the one-line error for a bad file, always shown
            elapsed = max(time.perf_counter() - started, 1e-9)
            mb = totals["bytes"] / 1e6
            advance(i, f"{totals['rows']:,} rows, {mb:,.1f} MB, {mb / elapsed:,.1f} MB/s")

        results = pipeline.land(
            warehouse,
            paths,
            source=source,
            instance=instance,
            progress=on_file,
            on_wait=say,
            drop_people=drop_people,
            workers=workers,
        )
    elapsed = max(time.perf_counter() - started, 1e-9)
    mb = totals["bytes"] / 1e6
    say(
        f"land: {totals['landed']} landed, {totals['skipped']} skipped (already landed), {totals['refused']} refused; "
        f"{totals['rows']:,} rows, {mb:,.1f} MB in {elapsed:,.1f} s "
        f"({mb / elapsed:,.1f} MB/s, {totals['rows'] / elapsed:,.0f} rows/s) -> {warehouse}"
    )
    if not quiet:
        for result in results:
            if result.status == "landed":
                print(result.line())
    ignored = unsupported_files(paths)
    if ignored:
        shown = ", ".join(str(p) for p in ignored[:10]) + (
            f" and {len(ignored) - 10} more" if len(ignored) > 10 else ""
        )
        say(f"land: ignored {len(ignored)} file(s) that are not .json, .json.gz or .csv: {shown}")
    if not results:
        raise UserError(f"{', '.join(map(str, paths))}: no .json, .json.gz or .csv files found")
    return EXIT_REFUSED if totals["refused"] else 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    for raw in args.paths:
        if not Path(raw).exists():
            raise UserError(f"{raw}: no such file or folder")
    return land_and_report(
        Warehouse.at(args.db),
        args.paths,
        source=args.source,
        instance=args.instance,
        quiet=args.quiet,
        drop_people=args.drop_people or settings.drop_people(),
        workers=args.workers,
    )


def register(subparsers) -> None:
    registered = trackers.all_trackers()
    p = add_db_option(
        subparsers.add_parser(
            "land",
            help="land tracker export files (or folders of them) in the warehouse's raw schema",
            description=(
                "Land tracker exports in the raw schema: "
                + "; ".join(f"{t.title}: {t.description[0].lower()}{t.description[1:].rstrip('.')}" for t in registered)
                + " (docs/trackers.md). Files already landed are skipped; a bad file is refused with its reason "
                "(and recorded in raw.landing_log) while the others land. Exit code 1 when any file was refused."
            ),
        )
    )
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or folders (searched recursively for .json, .json.gz and .csv)"
    )
    p.add_argument(
        "--source",
        choices=[t.name for t in registered],
        help="the tracker the files come from (default: detected; see docs/trackers.md)",
    )
    p.add_argument(
        "--instance",
        help="tracker instance when the files do not say: "
        + "; ".join(f"{t.title}: {t.instance_hint}" for t in registered),
    )
    p.add_argument(
        "--drop-people",
        action="store_true",
        help="replace the people the files name (assignees, authors: logins, names, emails) by pseudonyms as they "
        "land, and drop people from the stored payloads (default: $FLOWMART_DROP_PEOPLE; docs/serving.md)",
    )
    p.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="batches of pages landed side by side, each on its own connection (default: "
        "$FLOWMART_LANDING_WORKERS, else one per core, at most 4; one with --drop-people)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary and errors")
    p.set_defaults(func=run)
