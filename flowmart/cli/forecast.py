"""`flowmart forecast`: when will the next N items of a stream be done, or how many by a date (Monte Carlo)."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta
from pathlib import Path

from flowmart.cli.output import UserError, add_db_option, say
from flowmart.warehouse import Warehouse

PORTFOLIO = "all"


def marts_file(args: argparse.Namespace) -> Path:
    """The current published marts of the warehouse when there are any, else the (work) warehouse itself."""
    from flowmart.publishing import CURRENT, MARTS_FILE, published_dir_for

    warehouse = Warehouse.at(args.db)
    published = published_dir_for(warehouse.path, None) / CURRENT / MARTS_FILE
    if published.is_file():
        return published
    if warehouse.exists():
        return warehouse.path
    raise UserError(
        f"{warehouse}: no such warehouse file (run `flowmart demo` or `flowmart land` and `flowmart build`)"
    )


def _positive(value: str, option: str, least: int = 1) -> int:
    try:
        number = int(value)
    except ValueError:
        raise UserError(f"{option} {value}: not a whole number") from None
    if number < least:
        raise UserError(f"{option} {value}: must be at least {least}")
    return number


def history(con, stream: str, weeks: int) -> tuple[list[int], date, date]:
    """Daily departures (items finished per day) of ``stream`` over the ``weeks`` weeks up to the last complete
    day of the marts (as_of), zero days included; and that history's first and last day."""
    (as_of,) = con.execute("select max(as_of) from marts.fct_work_items").fetchone()
    if as_of is None:
        raise UserError("the marts hold no work items (run `flowmart build`)")
    last = (as_of + timedelta(seconds=1)).date() - timedelta(days=1)  # as_of 23:59:59 completes its day
    first = last - timedelta(days=7 * weeks - 1)
    where = "" if stream == PORTFOLIO else "and value_stream_id = ?"
    rows = dict(
        con.execute(
            f"""
            select date_day, sum(departures)::int
            from marts.fct_flow_daily
            where date_day between ? and ? {where}
            group by date_day
            """,
            [first, last] + ([] if stream == PORTFOLIO else [stream]),
        ).fetchall()
    )
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [int(rows.get(day, 0) or 0) for day in days], first, last


def run(args: argparse.Namespace) -> int:
    import duckdb

    from flowmart.report import forecast as mc

    if (args.items is None) == (args.by is None):
        raise UserError("give one of --items N (when will N items be done) or --by YYYY-MM-DD (how many by then)")
    items = _positive(args.items, "--items") if args.items is not None else None
    weeks = _positive(args.weeks, "--weeks")
    trials = _positive(args.trials, "--trials", 100)
    by = None
    if args.by is not None:
        try:
            by = datetime.strptime(args.by, "%Y-%m-%d").date()
        except ValueError:
            raise UserError(f"--by {args.by}: not a date (YYYY-MM-DD)") from None
    path = marts_file(args)
    with duckdb.connect(str(path), read_only=True) as con:
        streams = dict(con.execute("select value_stream_id, name from marts.dim_value_streams").fetchall())
        if args.stream != PORTFOLIO and args.stream not in streams:
            known = ", ".join(sorted(streams)) or "none"
            raise UserError(f"--stream {args.stream}: no such value stream (known: {known}, or {PORTFOLIO})")
        throughput, first, last = history(con, args.stream, weeks)
    start = last + timedelta(days=1)
    if by is not None and by < start:
        raise UserError(f"--by {by.isoformat()}: before the forecast starts ({start.isoformat()})")
    name = "every stream" if args.stream == PORTFOLIO else f"{streams[args.stream] or args.stream}"
    say(f"marts: {path}")
    print(
        f"{args.stream} ({name}): {trials:,} Monte Carlo trials over the daily throughput from {first.isoformat()} "
        f"to {last.isoformat()} ({sum(throughput):,} items finished in {weeks} weeks); forecast from "
        f"{start.isoformat()}"
    )
    if items is not None:
        result = mc.items_done_by(
            throughput, items, start, trials=trials, seed=mc.stable_seed("forecast", args.stream, f"items={items}")
        )
        print(f"When will the next {items:,} item{'s' if items != 1 else ''} be done?")
        for confidence, day in result.dates.items():
            days = result.days.values[confidence]
            text = "not within 5 years" if day is None else f"by {day.isoformat()} ({days:,} days)"
            print(f"  {round(confidence * 100)}% confidence: {text}")
    else:
        result = mc.how_many_by(
            throughput, start, by, trials=trials, seed=mc.stable_seed("forecast", args.stream, f"by={by.isoformat()}")
        )
        days = (by - start).days + 1
        print(f"How many items will be done by {by.isoformat()} ({days:,} days)?")
        for confidence, count in result.values.items():
            print(f"  {round(confidence * 100)}% confidence: at least {count:,} items")
    if sum(throughput) == 0:
        say(f"warning: nothing finished in {args.stream} in the last {weeks} weeks: the history forecasts nothing")
    return 0


def register(subparsers) -> None:
    p = add_db_option(
        subparsers.add_parser(
            "forecast",
            help="when will the next N items of a stream be done, or how many by a date (Monte Carlo)",
            description=(
                "Monte Carlo forecast for one value stream (or 'all') from its daily throughput (items finished per "
                "day) over the last --weeks weeks of the marts: --items N gives the dates by which N more items are "
                "done, --by DATE how many items are done by that day, each at 50/85/95% confidence. Reads the "
                "published marts of the warehouse, else the warehouse itself. The forecast starts the day after "
                "the last complete day of the marts; seeded, so the same marts give the same answer."
            ),
        )
    )
    p.add_argument("--stream", required=True, metavar="ID", help="value_stream_id (dim_value_streams), or 'all'")
    p.add_argument("--items", metavar="N", help="when will the next N items be done")
    p.add_argument("--by", metavar="YYYY-MM-DD", help="how many items will be done by this day (included)")
    p.add_argument("--trials", default="10000", metavar="N", help="Monte Carlo trials (default 10000, at least 100)")
    p.add_argument("--weeks", default="12", metavar="N", help="weeks of daily throughput to draw from (default 12)")
    p.set_defaults(func=run)
