"""Landing assets: one multi-asset per source, producing that source's raw tables.

Materializing a source's landing asset lands the new files of that source from the landing folder
(``$FLOWMART_LANDING_DIR``, default ``./landing``) with :func:`orchestration.ingest.land_files` —
idempotent (a file already landed is skipped), atomic per file, a bad file refused with its reason (the
quality gate then fails on it: see :mod:`.quality`).

Which files belong to which source (:func:`source_of`): files under ``<landing>/<source>/`` belong to
that source and are landed as that source's exports. Any other file is routed by its extension
(``.json`` -> the jira asset, ``.csv`` -> the csv asset) and its kind is detected exactly as
``flowmart land`` does, so a GitHub page dropped at the top level still lands in ``raw.github_*``;
keeping each tracker's exports in its own subfolder makes every landing asset report its own files.
"""

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.dagster.resources import POOL, WarehouseResource, retry_on_lock
from orchestration.ingest import land_files
from orchestration.ingest.landing import SUPPORTED_SUFFIXES, FileResult
from orchestration.ingest.schema import ensure_raw_schema

GROUP = "landing"
KEY_PREFIX = "raw"


@dataclass(frozen=True)
class LandingSource:
    name: str  # the dbt source name and the landing subfolder
    tables: tuple[str, ...]  # raw tables (= dbt source tables) this source's files land in
    suffixes: tuple[str, ...] = ()  # extensions routed to this source when outside any source subfolder
    description: str = ""

    def asset_key(self, table: str) -> dg.AssetKey:
        return dg.AssetKey([KEY_PREFIX, table])

    @property
    def asset_keys(self) -> list[dg.AssetKey]:
        return [self.asset_key(t) for t in self.tables]


def _tracker_sources() -> tuple[LandingSource, ...]:
    """GitHub, GitLab, Azure Boards, Linear: one landing asset each, from the ingest registry."""
    from orchestration.ingest import trackers

    return tuple(
        LandingSource(
            name, tuple(module.RAW_TABLES), description=(module.__doc__ or "").strip().split("\n")[0]
        )
        for name, module in trackers.MODULES.items()
    )


SOURCES: tuple[LandingSource, ...] = (
    LandingSource(
        "jira",
        ("jira_issues", "jira_changelog_items", "jira_statuses"),
        suffixes=(".json",),
        description="Jira REST exports: search pages with changelogs, changelog pages, status lists.",
    ),
    LandingSource(
        "csv",
        ("csv_work_items", "csv_status_changes"),
        suffixes=(".csv",),
        description="CSV interchange files: work_items.csv and status_changes.csv.",
    ),
    *_tracker_sources(),
)
SOURCES_BY_NAME = {s.name: s for s in SOURCES}


def raw_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey([KEY_PREFIX, table])


# ---------------------------------------------------------------------------------------------
# pure functions: which files, which source


def source_of(path: Path, landing_dir: Path, sources: Iterable[LandingSource] = SOURCES) -> str | None:
    """The source a file in the landing folder belongs to, or None when no source takes it."""
    sources = tuple(sources)
    try:
        parts = path.resolve().relative_to(landing_dir.resolve()).parts
    except ValueError:
        return None
    names = {s.name for s in sources}
    if len(parts) > 1 and parts[0] in names:
        return parts[0]
    suffix = path.suffix.lower()
    for source in sources:
        if suffix in source.suffixes:
            return source.name
    return None


def landing_files(landing_dir: Path) -> list[Path]:
    """Every landable file (.json/.csv, not hidden, not in a hidden folder) under the landing folder."""
    if not landing_dir.is_dir():
        return []
    found = []
    for path in sorted(landing_dir.rglob("*")):
        rel = path.relative_to(landing_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            found.append(path.resolve())
    return found


def files_for_source(landing_dir: Path, source: str) -> list[Path]:
    return [p for p in landing_files(landing_dir) if source_of(p, landing_dir) == source]


def in_source_folder(path: Path, landing_dir: Path, source: str) -> bool:
    try:
        parts = path.resolve().relative_to(landing_dir.resolve()).parts
    except ValueError:
        return False
    return len(parts) > 1 and parts[0] == source


# ---------------------------------------------------------------------------------------------
# metadata


def table_row_counts(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> dict[str, int]:
    return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in tables}


def summarise(results: list[FileResult]) -> dict[str, int]:
    summary = {"landed": 0, "skipped": 0, "refused": 0}
    for result in results:
        summary[result.status] += 1
    return summary


def refused_markdown(results: list[FileResult]) -> str:
    refused = [r for r in results if r.status == "refused"]
    if not refused:
        return "none"
    return "\n".join(f"- `{r.path}`: {r.reason}" for r in refused)


# ---------------------------------------------------------------------------------------------
# the assets


def build_landing_asset(source: LandingSource) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"land_{source.name}",
        specs=[
            dg.AssetSpec(
                source.asset_key(table),
                group_name=GROUP,
                kinds={"duckdb", "python"},
                description=f"raw.{table}: landed from the landing folder by `flowmart land` logic. "
                + source.description,
                metadata={"dagster/table_name": f"raw.{table}", "flowmart/source": source.name},
                tags={"flowmart/layer": "raw"},
            )
            for table in source.tables
        ],
        can_subset=False,
        pool=POOL,
        description=f"Land new {source.name} files from the landing folder into raw.*.",
    )
    def _land(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Iterator:
        landing_dir = warehouse.landing_path()
        db = warehouse.db_path()
        files = files_for_source(landing_dir, source.name)
        context.log.info(f"{len(files)} {source.name} file(s) under {landing_dir}")
        started = time.perf_counter()
        with retry_on_lock(context):
            db.parent.mkdir(parents=True, exist_ok=True)
            with duckdb.connect(str(db)) as con:
                ensure_raw_schema(con)  # the raw tables exist for dbt's sources even with nothing to land
                before = table_row_counts(con, source.tables)
                # files in <landing>/<source>/ are that source's exports; others are detected
                mine = [f for f in files if in_source_folder(f, landing_dir, source.name)]
                others = [f for f in files if f not in mine]
                results = land_files(con, mine, source=source.name) if mine else []
                results += land_files(con, others) if others else []
                counts = table_row_counts(con, source.tables)
        landed_rows = {t: counts[t] - before[t] for t in source.tables}
        summary = summarise(results)
        for result in results:
            if result.status == "refused":
                context.log.warning(result.line())
            elif result.status == "landed":
                context.log.info(result.line())
        seconds = time.perf_counter() - started
        common = {
            "files_landed": summary["landed"],
            "files_skipped": summary["skipped"],
            "files_refused": summary["refused"],
            "refused_files": dg.MetadataValue.md(refused_markdown(results)),
            "landing_dir": dg.MetadataValue.path(str(landing_dir)),
            "warehouse": dg.MetadataValue.path(str(db)),
            "seconds": round(seconds, 2),
        }
        for table in source.tables:
            yield dg.MaterializeResult(
                asset_key=source.asset_key(table),
                metadata={
                    "dagster/row_count": counts[table],
                    "rows_landed_this_run": landed_rows[table],
                    **common,
                },
            )

    return _land


LANDING_ASSETS: list[dg.AssetsDefinition] = [build_landing_asset(s) for s in SOURCES]
RAW_ASSET_KEYS: list[dg.AssetKey] = [k for s in SOURCES for k in s.asset_keys]
