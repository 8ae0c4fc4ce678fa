"""`flowmart forget-people`: pseudonymise the people in everything already landed."""

from __future__ import annotations

import argparse

from flowmart import pipeline
from flowmart.cli.output import add_db_option, say
from flowmart.warehouse import Warehouse


def run(args: argparse.Namespace) -> int:
    warehouse = Warehouse.at(args.db)
    touched = pipeline.forget_people(warehouse)
    rows = sum(touched.values())
    detail = ", ".join(f"{table} {n:,}" for table, n in sorted(touched.items())) or "no rows name anyone"
    say(f"forget-people: {rows:,} rows pseudonymised in {warehouse} ({detail})")
    say("rebuild (`flowmart build`) so that nothing built from raw still holds the old values")
    return 0


def register(subparsers) -> None:
    p = add_db_option(
        subparsers.add_parser(
            "forget-people",
            help="replace the people in everything already landed (raw and raw.quarantine) by pseudonyms",
            description=(
                "Replace every person the landed exports name (assignees, reporters, event authors: logins, "
                "display names, account ids, emails) by a pseudonym (person-<12 hex>, the same for the same "
                "person everywhere, keyed by .<warehouse>.people-key beside the warehouse), and drop people "
                "from stored payloads (Jira fields, GitHub/GitLab payloads, Azure fields); quarantined rows "
                "lose them outright. One transaction: all rows or none. `flowmart land --drop-people` does "
                "the same to each file as it lands. See docs/serving.md, 'Personal data'."
            ),
        )
    )
    p.set_defaults(func=run)
