"""`flowmart demo`: the whole pipeline on the embedded demo company, then example queries."""

from __future__ import annotations

import argparse
from pathlib import Path

from flowmart import pipeline
from flowmart.cli.build import as_of
from flowmart.cli.check import print_report
from flowmart.cli.land import land_and_report
from flowmart.cli.output import UserError, add_db_option, counted, status, step
from flowmart.cli.publish import print_published
from flowmart.warehouse import Warehouse

# The demo data ends on 2026-11-15, so its last complete half-year is pinned: the demo report never changes.
DEMO_REVIEW_HALF = "2026-H1"

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
    print(
        f"            or: python -c \"import duckdb; print(duckdb.connect('{published}', read_only=True).sql('show all tables'))\"\n"
    )
    with duckdb.connect(str(published), read_only=True) as con:
        for title, sql in EXAMPLE_QUERIES:
            print(f"-- {title}\n{sql};\n")
            try:
                print(con.sql(sql))
            except duckdb.Error as exc:
                print(f"(not available yet: {str(exc).splitlines()[0]})\n")


def run(args: argparse.Namespace) -> int:
    from flowmart.demo.jira import generate
    from flowmart.demo.trackers import generate_trackers
    from flowmart.report.build import fiscal_start_month
    from flowmart.report.periods import Half

    warehouse = Warehouse.at(args.db)
    out = Path(args.out)
    step(1, 6, f"generating the demo exports ({args.items:,} Jira items, GitHub and Azure Boards) into {out}")
    with counted("generate", args.items, unit="items") as advance:
        generate(out, items=args.items, seed=args.seed, progress=lambda done, total: advance(done))
    generate_trackers(out, items=max(args.items // 12, 40), seed=args.seed)
    step(2, 6, f"landing them in {warehouse}")
    if land_and_report(warehouse, [out], quiet=True):
        raise UserError(f"{out}: some demo files were refused (see above)")
    step(3, 6, "checking the inputs (Great Expectations quality gate)")
    with warehouse.writing():
        with status("check") as update:
            report = pipeline.gate(warehouse, pipeline.GateOptions(), progress=update)
        print_report(report)
        pipeline.require_passed(report)
        step(4, 6, "building the warehouse with dbt")
        pipeline.build(warehouse, pipeline.BuildOptions(as_of=as_of(args.as_of)), report.run_id)
        step(5, 6, f"writing the semiannual review report for {DEMO_REVIEW_HALF}")
        review = pipeline.review(warehouse, Half.parse(DEMO_REVIEW_HALF, fiscal_start_month()), Path(args.reports))
        step(6, 6, "publishing the marts for BI tools and analysts")
        published = pipeline.publish(warehouse)
    print_published(published)
    print_examples(warehouse.path, published.marts_file)
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
    p.add_argument("--as-of", metavar="TIMESTAMP", help="build as of this UTC time (default now)")
    p.add_argument(
        "--reports",
        default="reports",
        metavar="DIR",
        help=f"where the {DEMO_REVIEW_HALF} review report goes (default ./reports)",
    )
    p.set_defaults(func=run)
