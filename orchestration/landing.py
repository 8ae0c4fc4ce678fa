"""Landing assets: one multi-asset per registered tracker, producing its raw tables.

Materializing a tracker's landing asset lands its new files from the landing folder
(``$FLOWMART_LANDING_DIR``, default ``./landing``) with :func:`flowmart.pipeline.land` —
idempotent (a file already landed is skipped), atomic per file, a bad file refused with its reason (the
quality gate then fails on it: see :mod:`.quality`).

Which files belong to which source (:func:`source_of`): files under ``<landing>/<source>/`` belong to
that source and are landed as that source's exports. Any other file is routed by its extension
(the tracker's ``landing_suffixes``: ``.json`` -> the jira asset, ``.csv`` -> the csv asset) and its kind is detected exactly as
``flowmart land`` does, so a GitHub page dropped at the top level still lands in ``raw.github_*``;
keeping each tracker's exports in its own subfolder makes every landing asset report its own files.
"""

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import dagster as dg

from flowmart import pipeline, settings, trackers
from flowmart.landing import SUPPORTED_SUFFIXES, FileResult
from flowmart.trackers.spec import Tracker
from orchestration.pull import pull_keys
from orchestration.resources import POOL, WarehouseResource, retry_on_lock

GROUP = "landing"
KEY_PREFIX = "raw"


def raw_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey([KEY_PREFIX, table])


# ---------------------------------------------------------------------------------------------
# pure functions: which files, which source


def source_of(path: Path, landing_dir: Path, sources: Iterable[Tracker] | None = None) -> str | None:
    """The tracker a file in the landing folder belongs to, or None when none takes it."""
    sources = tuple(sources if sources is not None else trackers.all_trackers())
    try:
        parts = path.resolve().relative_to(landing_dir.resolve()).parts
    except ValueError:
        return None
    names = {s.name for s in sources}
    if len(parts) > 1 and parts[0] in names:
        return parts[0]
    suffix = path.suffix.lower()
    for source in sources:
        if suffix in source.landing_suffixes:
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


def table_row_counts(warehouse, tables: Iterable[str]) -> dict[str, int]:
    with warehouse.connect(read_only=True) as con:
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


def build_landing_asset(source: Tracker) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"land_{source.name}",
        specs=[
            dg.AssetSpec(
                raw_asset_key(table),
                group_name=GROUP,
                kinds={"duckdb", "python"},
                description=f"raw.{table}: landed from the landing folder by `flowmart land` logic. "
                + source.description,
                metadata={"dagster/table_name": f"raw.{table}", "flowmart/source": source.name},
                tags={"flowmart/layer": "raw"},
                deps=pull_keys(source.name),  # the configured pulls of this tracker write its files first
            )
            for table in source.table_names
        ],
        can_subset=False,
        pool=POOL,
        description=f"Land new {source.title} files from the landing folder into raw.*.",
    )
    def _land(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Iterator:
        landing_dir = warehouse.landing_path()
        store = warehouse.warehouse()
        files = files_for_source(landing_dir, source.name)
        context.log.info(f"{len(files)} {source.name} file(s) under {landing_dir}")
        started = time.perf_counter()
        with retry_on_lock(context):
            store.ensure_raw_schema()  # the raw tables exist for dbt's sources even with nothing to land
            before = table_row_counts(store, source.table_names)
            # files in <landing>/<source>/ are that tracker's exports; others are detected
            mine = [f for f in files if in_source_folder(f, landing_dir, source.name)]
            others = [f for f in files if f not in mine]
            drop = settings.drop_people()
            results = pipeline.land(store, mine, source=source.name, drop_people=drop) if mine else []
            results += pipeline.land(store, others, drop_people=drop) if others else []
            counts = table_row_counts(store, source.table_names)
        landed_rows = {t: counts[t] - before[t] for t in source.table_names}
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
            "warehouse": dg.MetadataValue.path(str(store.path)),
            "seconds": round(seconds, 2),
        }
        for table in source.table_names:
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(table),
                metadata={
                    "dagster/row_count": counts[table],
                    "rows_landed_this_run": landed_rows[table],
                    **common,
                },
            )

    return _land


LANDING_ASSETS: list[dg.AssetsDefinition] = [build_landing_asset(t) for t in trackers.all_trackers()]
RAW_ASSET_KEYS: list[dg.AssetKey] = [raw_asset_key(t.name) for t in trackers.raw_tables()]
