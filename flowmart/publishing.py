"""Publish the marts: copy them out of the work file into a new immutable version, switch readers atomically.

Pure functions over paths; `flowmart publish` (:mod:`flowmart.cli.publish`) and :func:`flowmart.pipeline.publish` call them.

Why a version *folder* and a symlink to it (docs/adr/0017-published-versions-and-a-symlink.md):

* DuckDB allows one writing process per file and no other-process readers beside it, so readers never open
  the work file; each published file is written once, checkpointed, closed, and never written again, so any
  number of processes can open it read-only at the same time.
* ``current`` is a relative symlink replaced with ``rename(2)`` (``os.replace``), which is atomic: an
  ``open()`` resolves either the old or the new target, never a half-written file. A connection that stays
  open keeps reading the version it opened (its file descriptor pins the inode, even after pruning);
  a connection opened after the switch reads the new version.
* The published DuckDB file is written in an older storage format (``STORAGE_VERSION``) so that BI tools
  bundling an older DuckDB can open it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

MART_SCHEMA = "marts"
META_SCHEMA = "meta"
CURRENT = "current"
VERSIONS = "versions"
MARTS_FILE = "flowmart.duckdb"
SERVING_FILE = "serving.duckdb"
PARQUET_DIR = "parquet"
MANIFEST = "manifest.json"
LOCK_FILE = ".publish.lock"
BUILDING_PREFIX = ".building-"

DEFAULT_KEEP = 3
# v1.0.0 = storage format 64, which every DuckDB from 0.10 on reads (checked: 1.1.3, 1.4.5, 2.0.1).
# Newer formats only add compression; the marts are small, so the widest readability wins.
# Override: `flowmart publish --storage-version`.
DEFAULT_STORAGE_VERSION = "v1.0.0"
# Marts with this column are written as hive partitions (parquet/<mart>/period_grain=month/...):
# every question about them filters on one grain, so a reader opens only that folder.
PARTITION_COLUMN = "period_grain"

VERSION_RE = re.compile(r"^\d{8}T\d{6}_\d{6}Z$")
STORAGE_VERSION_RE = re.compile(r"^(v\d+\.\d+\.\d+|latest)$")


class PublishError(Exception):
    """A publish or rollback that cannot be done; the message is one line for the user."""


@dataclass(frozen=True)
class Version:
    version_id: str
    path: Path
    is_current: bool

    @property
    def published_at(self) -> datetime:
        return datetime.strptime(self.version_id, "%Y%m%dT%H%M%S_%fZ").replace(tzinfo=UTC)


@dataclass
class PublishResult:
    version_id: str
    published_dir: Path
    version_dir: Path
    storage_version: str
    tables: dict[str, int] = field(default_factory=dict)
    pruned: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def current_dir(self) -> Path:
        return self.published_dir / CURRENT

    @property
    def marts_file(self) -> Path:
        """The stable path readers open: <published>/current/flowmart.duckdb."""
        return self.current_dir / MARTS_FILE

    @property
    def serving_file(self) -> Path:
        return self.current_dir / SERVING_FILE


# --------------------------------------------------------------------------------------------
# paths and versions


def published_dir_for(work_db: str | os.PathLike, explicit: str | os.PathLike | None = None) -> Path:
    """Where versions go: ``explicit``, else $FLOWMART_PUBLISH_DIR, else <work file's folder>/published."""
    chosen = explicit or os.environ.get("FLOWMART_PUBLISH_DIR")
    if chosen:
        return Path(chosen).expanduser().resolve()
    return Path(work_db).expanduser().resolve().parent / "published"


def list_versions(published_dir: str | os.PathLike) -> list[Version]:
    """Complete versions (those with a manifest), oldest first."""
    published = Path(published_dir)
    current = current_version(published)
    root = published / VERSIONS
    if not root.is_dir():
        return []
    ids = sorted(p.name for p in root.iterdir() if VERSION_RE.match(p.name) and (p / MANIFEST).is_file())
    return [Version(v, root / v, v == current) for v in ids]


def current_version(published_dir: str | os.PathLike) -> str | None:
    link = Path(published_dir) / CURRENT
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


# --------------------------------------------------------------------------------------------
# publish


def publish(
    work_db: str | os.PathLike,
    published_dir: str | os.PathLike | None = None,
    keep: int = DEFAULT_KEEP,
    storage_version: str = DEFAULT_STORAGE_VERSION,
    parquet: bool = True,
) -> PublishResult:
    """Copy every relation of the work file's `marts` schema into a new version and make it current.

    Readers of ``<published>/current/...`` see the previous version until the switch and the new one after;
    the newest ``keep`` versions (and always the current one) are kept, older ones removed.
    """
    started = time.perf_counter()
    work = Path(work_db).expanduser().resolve()
    published = published_dir_for(work, published_dir)
    if keep < 1:
        raise PublishError(f"--keep {keep}: must be at least 1 (the current version)")
    if not STORAGE_VERSION_RE.match(storage_version):
        raise PublishError(f"--storage-version {storage_version}: expected e.g. v1.0.0, v1.4.0 or latest")
    if not work.is_file():
        raise PublishError(f"{work}: no such warehouse file (run `flowmart build` first)")
    published.mkdir(parents=True, exist_ok=True)
    (published / VERSIONS).mkdir(exist_ok=True)

    with _publish_lock(published):
        _remove_leftovers(published)
        version_id = _new_version_id(published)
        building = published / f"{BUILDING_PREFIX}{version_id}"
        building.mkdir()
        try:
            tables = _write_version(work, building, version_id, storage_version, parquet)
            _fsync_tree(building)
            final = published / VERSIONS / version_id
            os.rename(building, final)  # atomic: a version folder is complete or absent
            _fsync_dir(published / VERSIONS)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        _switch_current(published, version_id)
        pruned = _prune(published, keep)
    return PublishResult(
        version_id=version_id,
        published_dir=published,
        version_dir=published / VERSIONS / version_id,
        storage_version=storage_version,
        tables=tables,
        pruned=pruned,
        seconds=time.perf_counter() - started,
    )


def rollback(published_dir: str | os.PathLike, to: str | None = None) -> Version:
    """Point ``current`` at the version before the current one (or at ``to``); nothing is deleted."""
    published = Path(published_dir)
    with _publish_lock(published):
        versions = list_versions(published)
        if not versions:
            raise PublishError(f"{published}: nothing published yet")
        ids = [v.version_id for v in versions]
        if to is not None:
            if to not in ids:
                raise PublishError(f"{to}: no such version in {published / VERSIONS} (have: {', '.join(ids)})")
            target = to
        else:
            current = current_version(published)
            older = [v for v in ids if current is None or v < current]
            if not older:
                raise PublishError(f"{published}: no version older than {current} to roll back to")
            target = older[-1]
        _switch_current(published, target)
    return Version(target, published / VERSIONS / target, True)


# --------------------------------------------------------------------------------------------
# writing one version


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _write_version(work: Path, out: Path, version_id: str, storage_version: str, parquet: bool) -> dict[str, int]:
    marts_file = out / MARTS_FILE
    con = duckdb.connect()
    try:
        try:
            con.execute(f"attach {_sql_str(str(work))} as src (read_only)")
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            if "lock" in first.lower():
                raise PublishError(
                    f"{work}: the warehouse is being written by another process (a build?); "
                    "publish when it has finished"
                ) from None
            raise PublishError(f"{work}: cannot open the warehouse: {first}") from None
        relations = con.execute(
            "select table_name, comment from duckdb_tables() where database_name = 'src' and schema_name = ? "
            "union all "
            "select view_name, comment from duckdb_views() where database_name = 'src' and schema_name = ? "
            "order by 1",
            [MART_SCHEMA, MART_SCHEMA],
        ).fetchall()
        if not relations:
            raise PublishError(f"{work}: no marts to publish (schema {MART_SCHEMA} is empty; run `flowmart build`)")
        columns = _columns(con, "src")

        con.execute(f"attach {_sql_str(str(marts_file))} as pub (storage_version {_sql_str(storage_version)})")
        con.execute(f"create schema pub.{MART_SCHEMA}")
        tables: dict[str, int] = {}
        for name, comment in relations:
            target = f"pub.{MART_SCHEMA}.{_ident(name)}"
            con.execute(f"create table {target} as select * from src.{MART_SCHEMA}.{_ident(name)}")
            tables[name] = con.execute(f"select count(*) from {target}").fetchone()[0]
            _copy_comments(con, target, comment, columns[name])
        con.execute("detach src")

        published_at = datetime.now(UTC).replace(tzinfo=None)
        meta = {
            "version_id": version_id,
            "published_at": published_at.isoformat(sep=" "),
            "source_db": str(work),
            "storage_version": storage_version,
            "written_by_duckdb": duckdb.__version__,
        }
        _write_meta(con, "pub", meta, tables)

        layout: dict[str, dict] = {}
        if parquet:
            layout = _export_parquet(con, out, relations, columns, tables)
        con.execute("checkpoint pub")
        con.execute("detach pub")
        if parquet:
            _write_serving_file(con, out, storage_version, relations, columns, layout, meta, tables)
    finally:
        con.close()

    manifest = {
        **meta,
        "marts_file": MARTS_FILE,
        "serving_file": SERVING_FILE if parquet else None,
        "tables": {
            name: {"rows": rows, **layout.get(name, {}), "columns": [c[0] for c in columns[name]]}
            for name, rows in tables.items()
        },
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return tables


def _columns(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[tuple[str, str, str | None]]]:
    rows = con.execute(
        "select table_name, column_name, data_type, comment from duckdb_columns() "
        "where database_name = ? and schema_name = ? order by table_name, column_index",
        [database, MART_SCHEMA],
    ).fetchall()
    out: dict[str, list[tuple[str, str, str | None]]] = {}
    for table, column, data_type, comment in rows:
        out.setdefault(table, []).append((column, data_type, comment))
    return out


def _copy_comments(
    con, target: str, comment: str | None, columns: list[tuple[str, str, str | None]], kind: str = "table"
) -> None:
    """Keep dbt's descriptions (persist_docs) so BI tools show them beside tables and columns."""
    if comment:
        con.execute(f"comment on {kind} {target} is {_sql_str(comment)}")
    for column, _type, column_comment in columns:
        if column_comment:
            con.execute(f"comment on column {target}.{_ident(column)} is {_sql_str(column_comment)}")


def _write_meta(con, database: str, meta: dict, tables: dict[str, int]) -> None:
    con.execute(f"create schema {database}.{META_SCHEMA}")
    con.execute(
        f"create table {database}.{META_SCHEMA}.publication (version_id varchar, published_at timestamp, "
        "source_db varchar, storage_version varchar, written_by_duckdb varchar)"
    )
    con.execute(
        f"insert into {database}.{META_SCHEMA}.publication values (?, ?, ?, ?, ?)",
        [
            meta["version_id"],
            meta["published_at"],
            meta["source_db"],
            meta["storage_version"],
            meta["written_by_duckdb"],
        ],
    )
    con.execute(
        f"comment on table {database}.{META_SCHEMA}.publication is "
        "'The published version these marts belong to (one row).'"
    )
    con.execute(f"create table {database}.{META_SCHEMA}.publication_tables (table_name varchar, row_count bigint)")
    con.executemany(f"insert into {database}.{META_SCHEMA}.publication_tables values (?, ?)", list(tables.items()))


def _export_parquet(con, out: Path, relations, columns, tables: dict[str, int]) -> dict[str, dict]:
    layout: dict[str, dict] = {}
    for name, _comment in relations:
        cols = columns[name]
        names = [c[0] for c in cols]
        source = f"pub.{MART_SCHEMA}.{_ident(name)}"
        # Sorting by the first date column keeps row-group min/max tight, so date filters skip row groups.
        date_cols = [c[0] for c in cols if c[1] == "DATE"]
        order = f" order by {_ident(date_cols[0])}" if date_cols else ""
        folder = out / PARQUET_DIR / name
        if PARTITION_COLUMN in names and tables[name] > 0:
            con.execute(
                f"copy (select * from {source}{order}) to {_sql_str(str(folder))} "
                f"(format parquet, partition_by ({_ident(PARTITION_COLUMN)}))"
            )
            layout[name] = {
                "parquet": f"{PARQUET_DIR}/{name}/*/*.parquet",
                "partitioned_by": [PARTITION_COLUMN],
            }
        else:
            folder.mkdir(parents=True)
            con.execute(
                f"copy (select * from {source}{order}) to {_sql_str(str(folder / 'data_0.parquet'))} (format parquet)"
            )
            layout[name] = {"parquet": f"{PARQUET_DIR}/{name}/*.parquet", "partitioned_by": []}
    return layout


def _write_serving_file(con, out: Path, storage_version: str, relations, columns, layout, meta, tables) -> None:
    """Views with paths relative to the version folder, so the folder can move or be mounted elsewhere.

    DuckDB resolves relative paths against `file_search_path` (else the working directory): readers set it
    to the published `current` folder (docs/serving.md).
    """
    con.execute(f"set file_search_path = {_sql_str(str(out))}")
    con.execute(f"attach {_sql_str(str(out / SERVING_FILE))} as srv (storage_version {_sql_str(storage_version)})")
    con.execute(f"create schema srv.{MART_SCHEMA}")
    for name, comment in relations:
        cols = columns[name]
        spec = layout[name]
        partitioned = bool(spec["partitioned_by"])
        reader = f"read_parquet({_sql_str(spec['parquet'])}"
        reader += ", hive_partitioning = true, hive_types_autocast = false)" if partitioned else ")"
        parquet_types = dict(
            con.execute(f"select column_name, column_type from (describe select * from {reader})").fetchall()
        )
        select = []
        for column, data_type, _c in cols:
            if parquet_types.get(column) == data_type:
                select.append(_ident(column))
            else:  # e.g. a hive partition column read back as varchar: give it the mart's type again
                select.append(f"cast({_ident(column)} as {data_type}) as {_ident(column)}")
        target = f"srv.{MART_SCHEMA}.{_ident(name)}"
        con.execute(f"create view {target} as select {', '.join(select)} from {reader}")
        _copy_comments(con, target, comment, cols, kind="view")
    _write_meta(con, "srv", meta, tables)
    con.execute("checkpoint srv")
    con.execute("detach srv")
    con.execute("reset file_search_path")


# --------------------------------------------------------------------------------------------
# switching, pruning, locking, durability


def _new_version_id(published: Path) -> str:
    now = datetime.now(UTC)
    while True:
        version_id = now.strftime("%Y%m%dT%H%M%S_%fZ")
        if (
            not (published / VERSIONS / version_id).exists()
            and not (published / f"{BUILDING_PREFIX}{version_id}").exists()
        ):
            return version_id
        now += timedelta(microseconds=1)


def _switch_current(published: Path, version_id: str) -> None:
    """Replace the `current` symlink in one rename(2): readers resolve the old or the new target."""
    tmp = published / f".{CURRENT}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(Path(VERSIONS) / version_id, tmp, target_is_directory=True)  # relative: the folder can move
    os.replace(tmp, published / CURRENT)
    _fsync_dir(published)


def _prune(published: Path, keep: int) -> list[str]:
    """Remove all but the newest ``keep`` versions, never the current one.

    A process that still has a removed version's DuckDB file open keeps reading it (POSIX unlink semantics).
    """
    versions = list_versions(published)
    current = current_version(published)
    kept = {v.version_id for v in versions[-keep:]} | ({current} if current else set())
    pruned = []
    for v in versions:
        if v.version_id in kept:
            continue
        try:
            shutil.rmtree(v.path)
            pruned.append(v.version_id)
        except OSError as exc:  # e.g. a file held open on a system that forbids deleting it: try next time
            print(f"warning: could not remove {v.path}: {exc}", file=sys.stderr)
    return pruned


def _remove_leftovers(published: Path) -> None:
    """Folders and links left by a publish that crashed (we hold the lock, so none is in progress)."""
    for path in published.iterdir():
        if path.name.startswith(BUILDING_PREFIX):
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(f".{CURRENT}.") and path.name.endswith(".tmp"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


@contextlib.contextmanager
def _publish_lock(published: Path) -> Iterator[None]:
    """One publish or rollback at a time per published folder (an advisory lock, released on process exit)."""
    try:
        import fcntl
    except (
        ImportError
    ):  # pragma: no cover - Windows: no concurrent publishes there (docs/adr/0017-published-versions-and-a-symlink.md)
        yield
        return
    published.mkdir(parents=True, exist_ok=True)
    with open(published / LOCK_FILE, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"{published}: another publish or rollback is running") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
