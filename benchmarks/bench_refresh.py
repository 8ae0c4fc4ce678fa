"""The full refresh against the daily one, on the same machine in one run; prints both and their ratio.

    python benchmarks/bench_refresh.py --items 100000 [--work DIR]

Full refresh: a full export of the demo company as of DAY-1 (`flowmart generate --end`), then
land + gate + build + publish (`flowmart.pipeline.refresh` after `land`) into a new warehouse. Daily refresh:
the delta of DAY (`generate --end DAY --since DAY-1`: the issues updated that day, as a JQL `updated >=`
pull would fetch) landed into the same warehouse, then the same refresh. Wall time per step, the peak
memory of this process (resident set, including DuckDB's), rows/s of the landing. Figures go into
docs/benchmarks.md; this is a benchmark, never a timed test.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

DAY = date(2026, 11, 15)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def refresh(warehouse, folder: Path, say) -> dict:
    from flowmart import pipeline

    timings = {}
    started = time.perf_counter()
    landed = pipeline.land(warehouse, [folder])
    timings["land_s"] = time.perf_counter() - started
    rows = sum(r.rows_total or r.rows for r in landed if r.status == "landed")
    timings["rows_landed"] = rows
    timings["land_rows_per_s"] = rows / timings["land_s"] if timings["land_s"] else None
    started = time.perf_counter()
    gated = []
    pipeline.refresh(
        warehouse,
        pipeline.BuildOptions(),
        pipeline.GateOptions(docs_dir=None),
        say=say,
        on_gate=lambda report: gated.append((time.perf_counter(), report.summary())),
    )
    timings["gate_build_publish_s"] = time.perf_counter() - started
    timings["gate_s"] = gated[0][0] - started
    timings["build_publish_s"] = timings["gate_build_publish_s"] - timings["gate_s"]
    say(gated[0][1])
    timings["total_s"] = timings["land_s"] + timings["gate_build_publish_s"]
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000, help="issues over the company's timeline")
    parser.add_argument("--work", help="working folder (default: a temporary one, removed after)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the exports an earlier run left in --work (same --items, --seed)"
    )
    args = parser.parse_args()

    from flowmart.demo.jira import generate
    from flowmart.warehouse import Warehouse

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    work.mkdir(parents=True, exist_ok=True)
    say = lambda text: print("  " + text, flush=True)  # noqa: E731
    try:
        started = time.perf_counter()
        exports = work / f"exports-{args.items}-{args.seed}"
        if args.reuse and (exports / "summary.json").exists():  # the same exports: generation is deterministic
            full, delta = json.loads((exports / "summary.json").read_text())
        else:
            shutil.rmtree(exports, ignore_errors=True)
            full = generate(exports / "full", items=args.items, seed=args.seed, end=DAY - timedelta(days=1))
            delta = generate(
                exports / "delta", items=args.items, seed=args.seed, end=DAY, since=DAY - timedelta(days=1)
            )
            (exports / "summary.json").write_text(json.dumps([full, delta], default=str))
        shutil.rmtree(work / "warehouse", ignore_errors=True)
        print(
            f"generated {full['items']:,} issues (full) and {delta['items']:,} (delta) in "
            f"{time.perf_counter() - started:,.0f} s",
            flush=True,
        )
        warehouse = Warehouse(work / "warehouse" / "flowmart.duckdb")
        print("full refresh ...", flush=True)
        first = refresh(warehouse, exports / "full", say)
        print("daily refresh ...", flush=True)
        daily = refresh(warehouse, exports / "delta", say)
        result = {
            "items": args.items,
            "full_export_issues": full["items"],
            "delta_issues": delta["items"],
            "delta_share_pct": round(100 * delta["items"] / max(full["items"], 1), 2),
            "full": {k: round(v, 2) if isinstance(v, float) else v for k, v in first.items()},
            "daily": {k: round(v, 2) if isinstance(v, float) else v for k, v in daily.items()},
            "daily_over_full": round(daily["total_s"] / first["total_s"], 3),
            "peak_rss_mb": round(peak_mb()),
        }
        print(json.dumps(result, indent=2))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
