"""`flowmart demo`: the whole pipeline on the embedded demo company, then example queries."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from flowmart import pipeline
from flowmart.cli.build import as_of
from flowmart.cli.check import print_report
from flowmart.cli.land import land_and_report
from flowmart.cli.output import UserError, add_db_option, counted, status, step
from flowmart.cli.publish import print_published
from flowmart.demo import EXPORT_END
from flowmart.warehouse import Warehouse

# The demo data ends at its export moment, so its last complete half-year is pinned: the demo report never changes.
DEMO_REVIEW_HALF = "2026-H1"


def _month_starts(as_of: date, count: int) -> list[date]:
    """The first days of the ``count`` full months before the month of ``as_of``, oldest first."""
    months = as_of.year * 12 + as_of.month - 1
    return [date((m) // 12, m % 12 + 1, 1) for m in range(months - count, months)]


def example_queries(as_of: date, half_start: date) -> list[tuple[str, str]]:
    """Three questions a first look asks, answered as of the build's moment (the demo: its export moment)."""
    months = _month_starts(as_of, 6)
    columns = ",\n".join(
        f"  cast(sum(flow_velocity) filter (where period_start = date '{m}') as integer) as \"{m:%Y-%m}\""
        for m in months
    )
    types = ("feature", "defect", "risk", "debt")
    shares = ",\n".join(
        f"  round(max(flow_distribution_pct) filter (where flow_item_type = '{t}'), 1) as {t}_pct" for t in types
    )
    return [
        (
            f"Flow velocity (items finished) per value stream, the six full months before {as_of}",
            f"""select
  value_stream_id,
{columns}
from marts.fct_flow_metrics
where period_grain = 'month' and flow_item_type = 'all'
group by value_stream_id
order by value_stream_id = 'all', value_stream_id""",
        ),
        (
            f"Flow time, efficiency and distribution per value stream, {DEMO_REVIEW_HALF} (the last complete half-year)",
            f"""select
  value_stream_id,
  max(flow_velocity) filter (where flow_item_type = 'all') as velocity,
  round(max(flow_time_p50_days) filter (where flow_item_type = 'all'), 1) as flow_time_p50_days,
  round(max(flow_time_p85_days) filter (where flow_item_type = 'all'), 1) as flow_time_p85_days,
  round(100 * max(flow_efficiency) filter (where flow_item_type = 'all'), 1) as efficiency_pct,
{shares}
from marts.fct_flow_metrics
where period_grain = 'half_year' and period_start = date '{half_start}'
group by value_stream_id
order by value_stream_id = 'all', value_stream_id""",
        ),
        (
            f"Oldest work in progress (aging WIP) among the four flow items, at {as_of}",
            """select work_item_id, value_stream_id, flow_item_type, current_status, round(age_days, 1) as age_days
from marts.fct_work_items
-- the four flow items: not the types the seed excludes (epics, sub-tasks) nor unmapped ones (fct_data_quality)
where is_wip and flow_item_type in ('feature', 'defect', 'risk', 'debt')
order by age_days desc
limit 10""",
        ),
    ]


def print_examples(db: Path, published: Path, as_of: date, half_start: date) -> None:
    import duckdb

    print(f"\nThe warehouse (work file, written by builds): {db}")
    print(f"The published marts (read-only, always complete): {published}")
    print(f"Query them with: {Path(sys.executable).parent / 'duckdb'} -readonly {published}")
    print(f'            or: {Path(sys.executable).parent / "flowmart"} sql "select ..."  (docs/serving.md)\n')
    with duckdb.connect(str(published), read_only=True) as con:
        for title, sql in example_queries(as_of, half_start):
            print(f"-- {title}\n{sql};\n")
            try:
                relation = con.sql(sql)
                sys.stdout.flush()  # DuckDB writes the table itself: keep it after the title in a pipe
                relation.show(max_width=250)
            except duckdb.Error as exc:
                print(f"(not available yet: {str(exc).splitlines()[0]})\n")


def run(args: argparse.Namespace) -> int:
    from flowmart.demo.business import generate_business_results
    from flowmart.demo.jira import generate
    from flowmart.demo.trackers import generate_trackers
    from flowmart.report.build import fiscal_start_month
    from flowmart.report.periods import Half

    warehouse = Warehouse.at(args.db)
    out = Path(args.out)
    step(
        1,
        6,
        f"generating the demo exports ({args.items:,} Jira items, GitHub and Azure Boards) and business results "
        f"into {out}",
    )
    with counted("generate", args.items, unit="items") as advance:
        generate(out, items=args.items, seed=args.seed, progress=lambda done, total: advance(done))
    generate_trackers(out, items=max(args.items // 12, 40), seed=args.seed)
    generate_business_results(out, seed=args.seed)
    step(2, 6, f"landing them in {warehouse}")
    if land_and_report(warehouse, [out], quiet=True):
        raise UserError(f"{out}: some demo files were refused (see above)")
    step(3, 6, "checking the inputs (Great Expectations quality gate)")
    with warehouse.writing():
        with status("check") as update:
            report = pipeline.gate(warehouse, pipeline.GateOptions(), progress=update)
        print_report(report)
        pipeline.require_passed(report)
        moment = as_of(args.as_of) if args.as_of else f"{EXPORT_END} 00:00:00"
        step(4, 6, f"building the warehouse with dbt, as of {moment} UTC (when the demo exports were taken)")
        pipeline.build(warehouse, pipeline.BuildOptions(as_of=moment), report.run_id)
        step(5, 6, f"writing the semiannual review report for {DEMO_REVIEW_HALF}")
        review = pipeline.review(warehouse, Half.parse(DEMO_REVIEW_HALF, fiscal_start_month()), Path(args.reports))
        step(6, 6, "publishing the marts for BI tools and analysts")
        published = pipeline.publish(warehouse)
    print_published(published)
    half = Half.parse(DEMO_REVIEW_HALF, fiscal_start_month())
    print_examples(warehouse.path, published.marts_file, datetime.fromisoformat(moment).date(), half.start)
    print(
        f"\nThe {DEMO_REVIEW_HALF} value-stream review: {review.html}"
        + (f"\n  and as PDF: {review.pdf}" if review.pdf else "")
    )
    return 0


def register(subparsers) -> None:
    p = add_db_option(
        subparsers.add_parser(
            "demo",
            help="generate the demo exports, land them, build the warehouse and print example queries",
            description="The whole pipeline on the embedded demo data set.",
        )
    )
    p.add_argument("--items", type=int, default=5000, help="demo size in work items (default 5000)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--out", default="demo-data", metavar="DIR", help="where the demo exports go (default ./demo-data)")
    p.add_argument(
        "--as-of",
        metavar="TIMESTAMP",
        help=f"build as of this UTC time (default {EXPORT_END} 00:00:00, when the demo exports were taken)",
    )
    p.add_argument(
        "--reports",
        default="reports",
        metavar="DIR",
        help=f"where the {DEMO_REVIEW_HALF} review report goes (default ./reports)",
    )
    p.set_defaults(func=run)
