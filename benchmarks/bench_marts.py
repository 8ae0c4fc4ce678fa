"""Benchmark the marts: generate N demo items, land them, `dbt build`, and compare with the floor.

Not a test (tests never assert on wall time): it prints figures for docs/benchmarks.md.

    .venv/bin/python benchmarks/bench_marts.py --items 100000
    .venv/bin/python benchmarks/bench_marts.py --items 1000000 --workdir /tmp/bench1m --keep

Steps, each in its own process so that peak memory (max RSS) is measured per step:
  1. generate   flowmart.demo.jira.generate(out_dir, items, seed)  (Jira exports, ~6 changes/item)
  2. land       flowmart.landing.land(db, [out_dir])
  3. dbt parse  once, as the first `flowmart build` of a project does (timed, reported on its own line)
  4. dbt build  the whole project (seeds, staging views, intermediate, marts, data tests) from scratch,
                with the parse of step 3 reused, as every scheduled build after the first reuses it
  5. floor      benchmarks/floor.sql - one hand-written DuckDB script computing fct_work_items,
                fct_flow_daily and fct_flow_metrics from the raw tables (reading the same mapping seeds)
  6. optional: `dbt run --full-refresh` of the floor's three marts and every model they read (--floor-scope):
                the work the floor does, without data tests, dbt's other marts or seeds
The ratio dbt / floor is the figure of merit (target: within 1.5x, peak memory under 4 GB). Each step's CPU
time (user + system, whole process tree) is printed beside its wall time: on a 2-core machine the build is
CPU-bound, so the CPU ratio tells where a build's time can still be won.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from flowmart.dbt import PRODUCTION_BUILD_EXCLUDES, DbtSettings, dbt_args
from flowmart.warehouse import Warehouse

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DBT = str(Path(PYTHON).parent / "dbt")
AS_OF = "2026-11-15 00:00:00"  # the generator's default export instant

# Runs a command and prints its wall time, the peak RSS of its process tree's largest member and the CPU
# time (user + system) of the whole tree.
MEASURE = r"""
import resource, subprocess, sys, time, json
start = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "seconds": time.perf_counter() - start, "peak_mb": usage.ru_maxrss / 1024,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime}))
"""


EXACT = [
    "source",
    "instance",
    "item_key",
    "title",
    "value_stream_id",
    "flow_item_type",
    "tracker_item_type",
    "current_flow_state",
    "created_at",
    "started_at",
    "finished_at",
    "canceled_at",
    "reopen_count",
    "is_wip",
    "is_history_complete",
]
DURATIONS = [
    "flow_time_days",
    "active_days",
    "waiting_days",
    "flow_time_business_days",
    "active_business_days",
    "waiting_business_days",
    "age_days",
    "flow_efficiency",
]
DAILY = (
    "value_stream_id, date_day, flow_item_type, flow_load, active_count, waiting_count, arrivals, departures, "
    "canceled, created"
)
# items where the floor's fct_work_items and dbt's differ in any column both have (durations to 1e-6)
MISMATCH_SQL = (
    "select count(*) from floor.fct_work_items as f full join marts.fct_work_items as m using (work_item_id) "
    "where f.work_item_id is null or m.work_item_id is null or "
    + " or ".join(
        [f"f.{c} is distinct from m.{c}" for c in EXACT]
        + [f"(f.{c} is null) <> (m.{c} is null) or abs(f.{c} - m.{c}) > 1e-6" for c in DURATIONS]
    )
)


def measure(command: list[str], env: dict | None = None) -> dict:
    completed = subprocess.run(
        [PYTHON, "-c", MEASURE, *command], capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=REPO
    )
    lines = [line for line in completed.stdout.strip().splitlines() if line.startswith("{")]
    if not lines:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"{command[:3]} did not report")
    result = json.loads(lines[-1])
    if result["code"] != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"{command[:3]} failed with exit code {result['code']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=None, help="reuse/keep generated files here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads for the floor (dbt uses profiles.yml)")
    parser.add_argument("--skip-run", action="store_true", help="time `dbt build` only (no models-only `dbt run`)")
    parser.add_argument(
        "--floor-scope",
        action="store_true",
        help="also time `dbt run` of only the marts the floor computes and their parents (same work as the floor)",
    )
    parser.add_argument(
        "--landed",
        type=Path,
        default=None,
        help="copy this already landed warehouse instead of generating and landing (e.g. the "
        "land.duckdb bench_landing.py leaves in its --workdir)",
    )
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="flowmart-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    exports, db = workdir / f"exports-{args.items}", workdir / "bench.duckdb"
    figures: dict[str, dict] = {}

    if args.landed:
        pass
    elif not (exports / ".complete").exists():
        figures["generate"] = measure(
            [
                PYTHON,
                "-c",
                "import sys; from flowmart.demo.jira import generate; "
                f"generate(sys.argv[1], items={args.items}, seed={args.seed}); open(sys.argv[1] + '/.complete', 'w').close()",
                str(exports),
            ]
        )
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    if args.landed:
        shutil.copyfile(args.landed, db)
    else:
        figures["land"] = measure(
            [
                PYTHON,
                "-c",
                "import sys; from flowmart.landing import land; land(sys.argv[1], [sys.argv[2]])",
                str(db),
                str(exports),
            ]
        )

    # Before anything is timed: dbt's sources exist even in a warehouse landed by an older Flowmart (as
    # `flowmart build` and Dagster ensure), and the file is checkpointed. The first checkpoint after landing
    # and the gate costs 0.5-0.8 s at 1M items (once per landed file); whichever of dbt and the floor wrote
    # first would pay it, so neither does.
    subprocess.run(
        [
            PYTHON,
            "-c",
            "import sys, duckdb; from flowmart.warehouse import ensure_raw_schema; "
            "c = duckdb.connect(sys.argv[1]); ensure_raw_schema(c); c.execute('checkpoint'); c.close()",
            str(db),
        ],
        check=True,
        cwd=REPO,
    )
    env = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    target = workdir / "target"
    shutil.rmtree(target, ignore_errors=True)  # a cold parse, then the build reuses it (partial parsing)
    # the arguments `flowmart build` gives dbt (flowmart/dbt.py): the warehouse and the registry travel as --vars
    settings = DbtSettings(as_of=AS_OF, target_path=target)

    def dbt(*command: str) -> list[str]:
        return [DBT, *dbt_args(list(command), Warehouse(db), settings), "--log-path", str(workdir / "logs")]

    figures["dbt_parse"] = measure(dbt("parse"), env)
    # the build `flowmart build` and the Dagster job run: models, seeds and data tests (no dbt unit tests)
    figures["dbt_build"] = measure(dbt("build", *PRODUCTION_BUILD_EXCLUDES), env)
    shutil.copyfile(target / "run_results.json", workdir / "run_results_build.json")  # per-node timings of the build
    if not args.skip_run:
        figures["dbt_run_models_only"] = measure(dbt("run", "--full-refresh"), env)
    if args.floor_scope:
        # the work the floor does, on dbt's side: the three marts it computes and every model they read
        # (no data tests, no fct_stage_time / fct_data_quality / signals / outcomes, which the floor skips)
        figures["dbt_run_floor_scope"] = measure(
            dbt("run", "--full-refresh", "--select", "+fct_work_items", "+fct_flow_daily", "+fct_flow_metrics"), env
        )

    floor_sql = (REPO / "benchmarks" / "floor.sql").read_text().replace("{{AS_OF}}", AS_OF)
    floor_file = workdir / "floor.sql"
    floor_file.write_text(floor_sql)
    figures["floor"] = measure(
        [
            PYTHON,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
            f"c.execute('set threads = {args.threads}'); c.execute(open(sys.argv[2]).read())",
            str(db),
            str(floor_file),
        ]
    )

    import duckdb

    # where the build's time goes: dbt's own per-node timings of the last dbt command above
    run_results = json.loads((target / "run_results.json").read_text())
    slowest = sorted(run_results["results"], key=lambda r: -r["execution_time"])[:8]
    print("\nslowest nodes of the last dbt command (run_results.json):")
    for result in slowest:
        print(f"  {result['execution_time']:8.1f} s  {result['unique_id'].split('.')[-1]}")

    with duckdb.connect(str(db), read_only=True) as con:
        counts = {
            "items": con.execute("select count(*) from marts.fct_work_items").fetchone()[0],
            "status_changes": con.execute("select count(*) from intermediate.int_status_changes_unioned").fetchone()[0],
            "status_intervals": con.execute("select count(*) from marts.fct_status_intervals").fetchone()[0],
            "flow_daily_rows": con.execute("select count(*) from marts.fct_flow_daily").fetchone()[0],
            "floor_items": con.execute("select count(*) from floor.fct_work_items").fetchone()[0],
            # the floor computes the same fct_work_items: every column both have (durations to 1e-6)
            "work_item_mismatch": con.execute(MISMATCH_SQL).fetchone()[0],
            "flow_daily_mismatch": con.execute(
                f"select count(*) from (select {DAILY} from floor.fct_flow_daily except select {DAILY} from marts.fct_flow_daily)"
            ).fetchone()[0],
            "flow_metrics_mismatch": con.execute(
                "select count(*) from (select value_stream_id, grain, period_start, flow_item_type, flow_velocity, "
                "items_canceled, flow_load_end from floor.fct_flow_metrics except select value_stream_id, period_grain, "
                "period_start, flow_item_type, flow_velocity, items_canceled, flow_load_end from marts.fct_flow_metrics)"
            ).fetchone()[0],
        }

    print(f"\nFlowmart marts benchmark - {args.items:,} items, seed {args.seed}, as_of {AS_OF}, {os.cpu_count()} CPUs")
    for key, value in counts.items():
        print(f"  {key:<22} {value:>12,}")
    print(f"  {'step':<22} {'seconds':>10} {'peak MB':>10} {'CPU s':>10}")
    for step, figure in figures.items():
        print(f"  {step:<22} {figure['seconds']:>10.1f} {figure['peak_mb']:>10.0f} {figure['cpu_seconds']:>10.1f}")
    ratio_build = figures["dbt_build"]["seconds"] / figures["floor"]["seconds"]
    print(f"  dbt build / floor      {ratio_build:10.2f}x   (target <= 1.5x; includes seeds and data tests)")
    ratio_cold = (figures["dbt_parse"]["seconds"] + figures["dbt_build"]["seconds"]) / figures["floor"]["seconds"]
    print(f"  (parse + build) / floor{ratio_cold:10.2f}x   (a project's very first build, parse included)")
    if "dbt_run_models_only" in figures:
        ratio_run = figures["dbt_run_models_only"]["seconds"] / figures["floor"]["seconds"]
        print(f"  dbt run / floor        {ratio_run:10.2f}x   (models only)")
    if "dbt_run_floor_scope" in figures:
        ratio_scope = figures["dbt_run_floor_scope"]["seconds"] / figures["floor"]["seconds"]
        print(f"  floor-scope run / floor{ratio_scope:10.2f}x   (the models the floor's marts need, no tests)")
    ratio_cpu = figures["dbt_build"]["cpu_seconds"] / figures["floor"]["cpu_seconds"]
    print(f"  build CPU / floor CPU  {ratio_cpu:10.2f}x")

    if not (args.keep or args.workdir):
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
