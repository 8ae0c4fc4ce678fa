"""Landing benchmark: generate N demo items, land them, report throughput and peak memory.

    .venv/bin/python benchmarks/bench_landing.py --items 100000

Prints a Markdown row for docs/benchmarks.md. Not a test: nothing here asserts on time.
The floor is one hand-written DuckDB statement reading every search page at once (no lineage, no per-file
transactions, no validation) — what landing costs at the least with DuckDB's JSON reader. It leaves out the
changelog pages (most of the files, 12% of the bytes of the demo export); the complete floor reads them too,
with one more statement, so it reads every file landing lands. Both ratios are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD_LAND = """
import json, resource, sys, time
from flowmart.landing import land
started = time.perf_counter()
results = land(sys.argv[1], [sys.argv[2]])
elapsed = time.perf_counter() - started
print(json.dumps({
    "seconds": elapsed,
    "files": len(results),
    "refused": sum(r.status == "refused" for r in results),
    "rows": sum(r.rows_total for r in results),
    "bytes": sum(r.bytes for r in results),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    # user + system CPU of this process: the landing workers are its threads
    "cpu_seconds": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),  # ru_utime + ru_stime
}))
"""

CHILD_FLOOR = """
import json, resource, sys, time, duckdb
started = time.perf_counter()
con = duckdb.connect(sys.argv[1])
con.execute('''
    create table issues as
    select unnest(cast(json -> 'issues' as json[])) as issue
    from read_json_objects(?, format = 'auto', maximum_object_size = 1073741824)
''', [sys.argv[2] + '/**/search_page_*.json'])
con.execute('''
    create table items as
    select h ->> 'id' as history_id, unnest(cast(h -> 'items' as json[])) as item
    from (select unnest(cast(issue -> 'changelog' -> 'histories' as json[])) as h from issues)
''')
if sys.argv[3] == "every":
    # the changelog pages too (a truncated changelog's histories, page by page): most of the files, 12% of
    # the bytes of the demo export, which landing reads, types and logs like the search pages
    con.execute('''
        insert into items
        select h ->> 'id' as history_id, unnest(cast(h -> 'items' as json[])) as item
        from (
            select unnest(cast(json -> 'values' as json[])) as h
            from read_json_objects(?, format = 'auto', maximum_object_size = 1073741824)
        )
    ''', [sys.argv[2] + '/**/changelog/*.json'])
rows = con.execute('select (select count(*) from issues) + (select count(*) from items)').fetchone()[0]
con.close()
print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "cpu_seconds": sum(resource.getrusage(resource.RUSAGE_SELF)[:2])}))  # ru_utime + ru_stime
"""


def run_child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GB RAM, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000, help="work items to generate (default 100000)")
    parser.add_argument("--page-size", type=int, default=100, help="issues per search page (default 100)")
    parser.add_argument("--workdir", help="keep data here (default: a temp dir, removed afterwards)")
    parser.add_argument("--runs", type=int, default=1, help="landings and floors, alternately (default 1)")
    parser.add_argument(
        "--relanding",
        action="store_true",
        help="after each landing, land the same folder again: every file is known (path, size, mtime) and skipped",
    )
    args = parser.parse_args()

    from flowmart.demo.jira import generate

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="flowmart-bench-"))
    data = workdir / "exports"
    try:
        if not data.exists():
            started = time.perf_counter()
            summary = generate(data, items=args.items, page_size=args.page_size)
            print(f"generated {summary} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        print(f"machine: {machine()}")
        print(
            "| run | items | files | MB | rows landed | wall s | MB/s | rows/s | peak RSS MB | floor s | ratio to floor |"
            " complete floor s | ratio to complete floor | CPU s | complete floor CPU s | CPU ratio |"
            + (" re-landing s |" if args.relanding else "")
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if args.relanding else ""))
        for run in range(1, args.runs + 1):
            for db in (workdir / "land.duckdb", workdir / "floor.duckdb"):
                db.unlink(missing_ok=True)
            landed = run_child(CHILD_LAND, str(workdir / "land.duckdb"), str(data))
            again = run_child(CHILD_LAND, str(workdir / "land.duckdb"), str(data)) if args.relanding else None
            floor = run_child(CHILD_FLOOR, str(workdir / "floor.duckdb"), str(data), "search")
            (workdir / "floor.duckdb").unlink()
            complete = run_child(CHILD_FLOOR, str(workdir / "floor.duckdb"), str(data), "every")
            mb = landed["bytes"] / 1e6
            print(
                f"| {run} | {args.items:,} | {landed['files']:,} | {mb:,.0f} | {landed['rows']:,} | "
                f"{landed['seconds']:.1f} | {mb / landed['seconds']:.1f} | {landed['rows'] / landed['seconds']:,.0f} | "
                f"{landed['peak_mb']:,.0f} | {floor['seconds']:.1f} | {landed['seconds'] / floor['seconds']:.2f} | "
                f"{complete['seconds']:.1f} | {landed['seconds'] / complete['seconds']:.2f} | "
                f"{landed['cpu_seconds']:.1f} | {complete['cpu_seconds']:.1f} | "
                f"{landed['cpu_seconds'] / complete['cpu_seconds']:.2f} |"
                + (f" {again['seconds']:.1f} |" if again else ""),
                flush=True,
            )
            if landed["refused"]:
                print(f"warning: {landed['refused']} files refused", file=sys.stderr)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
