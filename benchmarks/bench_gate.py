"""Time the input quality gate against the dbt build on one landed warehouse; prints the figures.

    python benchmarks/bench_gate.py --db /tmp/bench.duckdb   # a warehouse `flowmart land` filled

The gate runs as a dry run (validates everything, moves nothing) so that repeated runs see the same data.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a landed DuckDB warehouse (it is built by dbt too)")
    parser.add_argument("--chunk-rows", type=int, default=None, help="rows per GX batch (default: the gate's)")
    parser.add_argument("--skip-dbt", action="store_true", help="time the gate only")
    parser.add_argument(
        "--outcomes",
        metavar="FILE",
        help="write every expectation's outcome (success, rows checked, rows failing) as JSON: two versions of "
        "the gate on the same warehouse must write the same file",
    )
    args = parser.parse_args()
    db = Path(args.db).resolve()

    from flowmart.gate.run import run_gate
    from flowmart.gate.validation import DEFAULT_CHUNK_ROWS

    with duckdb.connect(str(db)) as con:
        sizes = {
            t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for t in ("jira_issues", "jira_changelog_items", "csv_work_items", "csv_status_changes")
        }
        started = time.perf_counter()
        report = run_gate(
            con,
            apply=False,
            chunk_rows=args.chunk_rows or DEFAULT_CHUNK_ROWS,
            progress=lambda t: print("  " + t, flush=True),
        )
        gate_seconds = time.perf_counter() - started
    print(f"raw rows: {sizes}")
    print(f"gate (dry run, {len(report.outcomes)} expectations): {gate_seconds:,.1f} s")
    if args.outcomes:
        outcomes = {
            o.name: {
                "success": o.success,
                "element_count": o.element_count,
                "unexpected_count": o.unexpected_count,
                "missing_count": o.missing_count,
                "files": len(o.file_counts),
                "error": o.error,
            }
            for o in report.outcomes
        }
        Path(args.outcomes).write_text(json.dumps(outcomes, indent=1, sort_keys=True) + "\n")
    if not args.skip_dbt:
        from flowmart import pipeline
        from flowmart.warehouse import Warehouse

        started = time.perf_counter()
        pipeline.build(Warehouse(db), pipeline.BuildOptions(), gate_run_id=None)
        print(f"dbt build: {time.perf_counter() - started:,.1f} s")


if __name__ == "__main__":
    main()
