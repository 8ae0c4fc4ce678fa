"""End to end at scale (issue 22: ten million items): generate, land, gate, build, report and publish, each
step a `flowmart` command in its own process, with its wall time, CPU time, peak memory and the disk it
leaves; prints a Markdown table for docs/benchmarks.md.

    python benchmarks/bench_scale.py --items 10000000 --work /tmp/b10m

Resumable across sessions: every finished step is recorded in WORK/steps.json and not run again, and
generation is `flowmart generate --gzip --resume` (it saves its place every minute), so an interrupted
run is started again with the same command and carries on. A step that failed is run again. The
exports are gzip-compressed pages (`.json.gz`: about 0.5 GB per million items instead of 6.6 GB).

Steps (`--steps` picks some, in this order):
  generate  flowmart generate --items N --gzip --resume --out WORK/exports
  land      flowmart land WORK/exports --db WORK/flowmart.duckdb --workers W
  gate      flowmart check --db ... --validate-all --no-data-docs (every row of every file)
  build     flowmart build --db ... --skip-gate --no-publish --as-of AS_OF
  report    flowmart report --db ... --half HALF --out WORK/reports
  publish   flowmart publish --db ... --out WORK/published

Peak memory is the step's largest resident set (the process and what it waited for, from wait4). This is
a benchmark: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

STEPS = ("generate", "land", "gate", "build", "report", "publish")


def flowmart() -> str:
    """The `flowmart` command of this interpreter's environment."""
    found = Path(sys.executable).with_name("flowmart")
    return str(found) if found.exists() else (shutil.which("flowmart") or "flowmart")


def commands(args: argparse.Namespace, work: Path) -> dict[str, list[str]]:
    db = str(work / "flowmart.duckdb")
    exe = flowmart()
    return {
        "generate": [exe, "generate", "--items", str(args.items), "--seed", str(args.seed), "--gzip", "--resume",
                     "--out", str(work / "exports")],
        "land": [exe, "land", str(work / "exports"), "--db", db, "--workers", str(args.workers), "--quiet"],
        "gate": [exe, "check", "--db", db, "--validate-all", "--no-data-docs", "--quiet"],
        "build": [exe, "build", "--db", db, "--skip-gate", "--no-publish", "--as-of", args.as_of],
        "report": [exe, "report", "--db", db, "--half", args.half, "--out", str(work / "reports")],
        "publish": [exe, "publish", "--db", db, "--out", str(work / "published")],
    }  # fmt: skip


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def run_step(command: list[str]) -> dict:
    """Run one step, its output passed through; wall, CPU and peak memory from wait4."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return {
        "started": started_at,
        "exit": child.returncode,
        "wall_s": round(time.perf_counter() - started, 1),
        "user_s": round(usage.ru_utime, 1),
        "sys_s": round(usage.ru_stime, 1),
        "peak_mb": round(usage.ru_maxrss / 1024),  # Linux: kilobytes
    }


def table(record: dict) -> str:
    lines = [
        "| step | wall s | CPU s (user + sys) | peak RSS MB | exports GB | warehouse GB | free disk GB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for step in STEPS:
        for n, run in enumerate(record.get(step, []), 1):
            name = step if len(record[step]) == 1 else f"{step} ({n})"
            if run["exit"] != 0:
                name += f" - exit {run['exit']}"
            lines.append(
                f"| {name} | {run['wall_s']:,.1f} | {run['user_s'] + run['sys_s']:,.1f} | {run['peak_mb']:,} | "
                f"{run['exports_bytes'] / 1e9:,.2f} | {run['warehouse_bytes'] / 1e9:,.2f} | {run['free_bytes'] / 1e9:,.1f} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("--items", type=int, default=10_000_000, help="issues over the company's timeline")
    parser.add_argument("--work", required=True, metavar="DIR", help="working folder, kept (resumable)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=2, help="landing workers (default 2)")
    parser.add_argument("--as-of", default="2026-11-15 00:00:00", help="the build's as_of (the export moment)")
    parser.add_argument("--half", default="2026-H1", help="the review's half-year (default 2026-H1)")
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS), help="steps to run (in order)")
    args = parser.parse_args()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    record_path = work / "steps.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    if record.get("items", args.items) != args.items:
        print(f"{work}: holds a run of {record['items']:,} items, not {args.items:,}", file=sys.stderr)
        return 2
    record["items"] = args.items
    todo = commands(args, work)
    for step in STEPS:
        if step not in args.steps:
            continue
        runs = record.setdefault(step, [])
        if runs and runs[-1]["exit"] == 0:
            print(f"{step}: done before ({runs[-1]['wall_s']:,.1f} s), not run again", flush=True)
            continue
        print(f"{step}: {' '.join(todo[step])}", flush=True)
        run = run_step(todo[step])
        run["exports_bytes"] = size_of(work / "exports")
        run["warehouse_bytes"] = size_of(work / "flowmart.duckdb")
        run["free_bytes"] = shutil.disk_usage(work).free
        runs.append(run)
        record_path.write_text(json.dumps(record, indent=1) + "\n")
        print(f"{step}: exit {run['exit']}, {run['wall_s']:,.1f} s, peak {run['peak_mb']:,} MB", flush=True)
        if run["exit"] != 0:
            break
    print(table(record))
    return 0 if all(r[-1]["exit"] == 0 for s, r in record.items() if s in STEPS and r) else 1


if __name__ == "__main__":
    sys.exit(main())
