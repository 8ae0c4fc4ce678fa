"""`flowmart publish`: publish the marts for readers, list versions, roll back."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from flowmart import pipeline
from flowmart.cli.output import UserError, add_db_option, say
from flowmart.publishing import (
    DEFAULT_KEEP,
    DEFAULT_STORAGE_VERSION,
    MANIFEST,
    PublishError,
    list_versions,
    published_dir_for,
    rollback,
)
from flowmart.warehouse import Warehouse


def print_published(result, keep: int = DEFAULT_KEEP, parquet: bool = True) -> None:
    """Where readers find a new published version (`flowmart publish`, `build`, `demo`)."""
    rows = sum(result.tables.values())
    say(
        f"published {result.version_id}: {len(result.tables)} marts, {rows:,} rows "
        f"in {result.seconds:,.1f} s (storage {result.storage_version})"
    )
    if result.pruned:
        say(f"removed {len(result.pruned)} older version(s), keeping the newest {keep}")
    print(f"published marts (read-only): {result.marts_file}")
    if parquet:
        print(
            f"Parquet + views:             {result.version_dir / 'serving.duckdb'}  "
            f"(SET file_search_path = '{result.version_dir}': one version, see docs/serving.md)"
        )
    print(f"query them:                  duckdb -readonly {result.marts_file}")


def print_versions(published: Path) -> None:
    versions = list_versions(published)
    if not versions:
        print(f"{published}: nothing published yet")
        return
    for v in versions:
        try:
            manifest = json.loads((v.path / MANIFEST).read_text())
            tables = manifest.get("tables", {})
            size = f"{len(tables)} marts, {sum(t.get('rows', 0) for t in tables.values()):,} rows"
        except (OSError, ValueError):
            size = "(manifest unreadable)"
        marker = "  <- current" if v.is_current else ""
        print(f"{v.version_id}  {v.published_at:%Y-%m-%d %H:%M:%S} UTC  {size}{marker}")


def run(args: argparse.Namespace) -> int:
    warehouse = Warehouse.at(args.db)
    published = published_dir_for(warehouse.path, args.out)
    if args.list:
        print_versions(published)
        return 0
    if args.rollback or args.to:
        try:
            version = rollback(published, to=args.to)
        except PublishError as exc:
            raise UserError(str(exc)) from None
        print(f"current is now {version.version_id}: {published / 'current'} -> {version.path}")
        return 0
    result = pipeline.publish(
        warehouse,
        args.out,
        allow_empty=args.allow_empty,
        keep=args.keep,
        storage_version=args.storage_version,
        parquet=not args.no_parquet,
    )
    print_published(result, keep=args.keep, parquet=not args.no_parquet)
    return 0


def register(subparsers) -> None:
    p = add_db_option(
        subparsers.add_parser(
            "publish",
            help="publish the marts for BI tools and analysts (atomic switch, versions, rollback)",
            description=(
                "Copy the marts out of the warehouse into a new read-only version (a DuckDB file in an older "
                "storage format, Parquet files and a DuckDB file of views over them) and switch "
                "<published>/current to it atomically: readers see the previous complete version or the new "
                "one, never a partial one and never a lock error. The newest --keep versions are kept."
            ),
        )
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="published folder (default: $FLOWMART_PUBLISH_DIR, else <warehouse folder>/published)",
    )
    p.add_argument(
        "--keep",
        type=int,
        default=DEFAULT_KEEP,
        metavar="K",
        help=f"versions to keep, the current one included (default {DEFAULT_KEEP})",
    )
    p.add_argument(
        "--rollback", action="store_true", help="point current at the version before it instead of publishing"
    )
    p.add_argument("--to", metavar="VERSION", help="point current at this version (see --list)")
    p.add_argument("--list", action="store_true", help="list the published versions")
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="publish marts without work items even over a published version with some",
    )
    p.add_argument(
        "--storage-version",
        default=DEFAULT_STORAGE_VERSION,
        metavar="V",
        help=f"DuckDB storage format of the published files (default {DEFAULT_STORAGE_VERSION}, "
        "readable by DuckDB 0.10 and later; 'latest' for the newest format)",
    )
    p.add_argument("--no-parquet", action="store_true", help="publish only the DuckDB file (no Parquet export)")
    p.set_defaults(func=run)
