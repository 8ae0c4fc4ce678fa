"""`flowmart mappings draft|check`: point Flowmart at a real tracker instance (docs/mapping-templates)."""

from __future__ import annotations

import argparse
from pathlib import Path

from flowmart import dbt, mappings
from flowmart.cli.output import UserError, add_db_option, say
from flowmart.warehouse import Warehouse


def _prepare(args: argparse.Namespace) -> Warehouse:
    warehouse = Warehouse.at(args.db)
    if not warehouse.exists():
        raise UserError(f"{warehouse}: no warehouse here (land your exports first: flowmart land DIR)")
    say(f"mappings: reading what {warehouse} has landed (dbt build --select {mappings.MAPPING_MODELS}) ...")
    try:
        mappings.prepare(warehouse, Path(args.project_dir) if args.project_dir else None, say)
    except dbt.DbtFailed as exc:
        raise UserError(f"{warehouse}: {exc}") from None
    return warehouse


def run_draft(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.force:
        raise UserError(f"{out}: not empty (pass --force to overwrite the draft files in it)")
    warehouse = _prepare(args)
    result = mappings.draft(warehouse)
    written = mappings.write_draft(result, out)
    unknown = sum(1 for row in result.statuses if row["flow_state"] == "unknown")
    guesses = sum(
        1 for row in result.statuses + result.types if "guess" in row["note"] or "not recognised" in row["note"]
    )
    say(
        f"mappings draft: {len(result.statuses)} status(es), {len(result.types)} item type row(s), "
        f"{len(result.rules)} stream rule(s) -> {len(result.streams)} placeholder stream(s), "
        f"{len(result.stages)} placeholder stage(s) written to {out}/ ({len(written)} files)"
    )
    if unknown:
        say(f"  {unknown} status(es) have flow_state unknown (the tracker gives no category): fill them in")
    if guesses:
        say(f"  {guesses} row(s) are guesses from names or labels: their note says so")
    say("  review every row (the note column says where it came from), then copy the files into seeds/ and run")
    say("  `flowmart mappings check` and `flowmart build` (docs/mapping-templates/README.md)")
    return 0


def run_check(args: argparse.Namespace) -> int:
    warehouse = _prepare(args)
    findings = mappings.check(warehouse)
    if not findings:
        say("mappings check: every status, item type and item is mapped")
        return 0
    for line in mappings.format_findings(findings):
        say(line)
    items = sum(f.items for f in findings if f.kind != "ambiguous_status")
    say(
        f"mappings check: {len(findings)} finding(s) that change the metrics ({items:,} item-status/type/stream "
        "cases); the seed rows to add are shown above"
    )
    return 1


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "mappings",
        help="draft the mapping seeds from the landed data, or check what is still unmapped",
        description=(
            "Point Flowmart at a real tracker instance: `draft` writes draft mapping seeds from what is landed; "
            "`check` lists what the landed data still has unmapped or ambiguous. Both first build the seeds, the "
            "staging and intermediate models up to int_status_intervals in the warehouse (not the marts: what is "
            "published stays). "
            "Walk-through: docs/mapping-templates/README.md."
        ),
    )
    sub = parser.add_subparsers(dest="mappings_command", metavar="SUBCOMMAND")
    sub.required = True

    draft = add_db_option(
        sub.add_parser(
            "draft",
            help="write draft seed files (status mappings by id, item types, stream rules, streams, stages)",
            description=(
                "Read the landed raw data (status lists, every status id and name seen in histories, item types, "
                "projects/repositories/area paths, labels) and write draft seed files in the seeds' own formats "
                "into DIR: status_mappings.csv by id with the tracker category as the proposed flow state "
                "(unknown where the tracker gives none), flow_item_types.csv (Bug -> defect, Story -> feature, "
                "Epic and sub-tasks -> exclude, ...), one stream_assignment_rules.csv row per project pointing at a "
                "placeholder stream in value_streams.csv, placeholder value_stream_stages.csv, and an empty "
                "flow_distribution_targets.csv. Every guess says so in its note column: review, then copy the "
                "files into seeds/."
            ),
        )
    )
    draft.add_argument("--out", required=True, metavar="DIR", help="folder for the draft seed files")
    draft.add_argument("--force", action="store_true", help="overwrite the files of a non-empty DIR")
    draft.add_argument("--project-dir", metavar="DIR", help=argparse.SUPPRESS)
    draft.set_defaults(func=run_draft)

    check = add_db_option(
        sub.add_parser(
            "check",
            help="list unmapped or ambiguous statuses, item types and unassigned items; exit 1 if any",
            description=(
                "List what the landed data has that the seeds do not map: status ids and names with no "
                "status_mappings row (unknown, or mapped by the tracker category), statuses two rows disagree on, "
                "item types with no flow_item_types row, items no stream rule matches - each with its item count "
                "and the seed row to add. Exits 1 when anything that changes the metrics is unmapped, 0 otherwise."
            ),
        )
    )
    check.add_argument("--project-dir", metavar="DIR", help=argparse.SUPPRESS)
    check.set_defaults(func=run_check)
