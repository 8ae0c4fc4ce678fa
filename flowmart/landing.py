"""Land tracker export files in DuckDB's `raw` schema.

One call of :func:`land_files` lands a batch of files. Each file is:

* hashed (sha256 of its bytes) — a hash already landed is skipped, so landing is idempotent;
* recognised by the tracker registry (:mod:`flowmart.trackers`): each tracker says which of its kinds a
  parsed document or a CSV header is;
* read by DuckDB's own readers (``read_json_objects``, ``read_text``, ``read_csv``) and inserted
  set-based, inside one transaction together with its ``raw.landing_log`` and ``raw.landed_rows`` rows — a
  file lands completely or not at all;
* refused with a one-line reason (recorded in ``raw.landing_log``) when it is corrupt, truncated or
  wrongly shaped. Other files of the batch still land; nothing landed before is touched.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flowmart import people, settings, trackers
from flowmart.trackers.spec import Kind, KindSql, RefusedFile, Tracker, csv_header
from flowmart.warehouse import DiskFull, Warehouse, disk_full_reason, ensure_raw_schema, is_disk_full

JSON_MAX_OBJECT_SIZE = 1 << 30  # a search page of 1,000 issues with changelogs is far below 1 GB
SUPPORTED_SUFFIXES = {".json", ".csv", ".json.gz"}  # a gzip-compressed JSON page is read as it is (docs/adr/0077)
BATCH_BYTES = 64 << 20  # batchable pages landed together in one transaction (see land_files)
BATCH_FILES = 500
# DuckDB settings while a landing runs (land_files restores them after):
# - checkpoint_threshold: every batch commits; at DuckDB's default threshold (16 MB of WAL) each commit also
#   checkpointed, rewriting the tables' last row groups a hundred times at 1M items. Checkpoint after ~1 GB
#   instead (the WAL keeps every commit durable meanwhile; closing the warehouse checkpoints the rest).
# - the allocator's flush thresholds: each batch parses and frees hundreds of MB; by default DuckDB hands
#   memory back to the system after any free of more than 512 MB (or any task that peaked over 128 MB), and
#   the next batch faults every page in again, zeroed by the kernel: at 1M items a third of landing's CPU
#   was system time. Landing keeps freed memory for the next batch instead (docs/adr/0081).
LANDING_SETTINGS = {
    "checkpoint_threshold": "1GB",
    "allocator_flush_threshold": "4GB",
    "allocator_bulk_deallocation_flush_threshold": "4GB",
}
INSERT_TARGET = re.compile(r"insert\s+into\s+raw\.(\w+)", re.IGNORECASE)
GLOB_CHARACTERS = set("*?[]{}")  # DuckDB's readers expand these in a path

# Test hook: called with each file's path after it was read, before its transaction commits (a writer still
# writing is simulated by appending here).
after_read: Callable[[Path], None] | None = None

__all__ = ["FileResult", "RefusedFile", "expand_paths", "land", "land_files"]


@dataclass
class FileResult:
    path: Path
    status: str  # landed | skipped | refused
    kind: str | None
    rows: int
    bytes: int
    reason: str | None = None
    seconds: float = 0.0
    rows_total: int = 0  # rows written to every raw table (e.g. issues + their changelog items)

    def line(self) -> str:
        if self.status == "refused":
            return f"{self.path}: refused: {self.reason}"
        if self.status == "skipped":
            return f"{self.path}: skipped: {self.reason}"
        return f"{self.path}: landed {self.rows:,} rows as {self.kind}"


# --------------------------------------------------------------------------------------------
# discovery


def file_type(path: Path) -> str:
    """The file's type as landing reads it: ``.json``, ``.json.gz`` (gzip-compressed JSON), ``.csv``, or
    its last suffix (lower case) for anything else."""
    name = path.name.lower()
    if name.endswith(".json.gz"):
        return ".json.gz"
    return path.suffix.lower()


def is_json(path: Path) -> bool:
    return file_type(path) in (".json", ".json.gz")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus every .json/.json.gz/.csv file under named folders (sorted, recursive)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and file_type(p) in SUPPORTED_SUFFIXES))
        else:
            found.append(path)
    return [p.resolve() for p in found]


def unsupported_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files under named folders that landing does not read (not .json, .json.gz or .csv), sorted: a landing names
    them, so nothing is passed over silently."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and file_type(p) not in SUPPORTED_SUFFIXES))
    return [p.resolve() for p in found]


def file_digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
            size += len(block)
    return sha.hexdigest(), size


# --------------------------------------------------------------------------------------------
# recognising a file


def _first_char(path: Path) -> str:
    opener = gzip.open if file_type(path) == ".json.gz" else open
    try:
        with opener(path, "rb") as handle:
            head = handle.read(4096)
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise RefusedFile(f"not a readable gzip file ({exc})") from None
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    text = head.lstrip()
    return chr(text[0]) if text else ""


def _duck_reason(exc: Exception) -> str:
    """DuckDB's error text, shortened to one line without the file path (the caller names the file)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    text = re.sub(r"^[A-Za-z ]*Error: ", "", lines[0])
    if text.startswith("CSV Error on Line"):
        # DuckDB's CSV errors: "CSV Error on Line: N", "Original Line: ...", then the actual problem
        detail = next((x for x in lines[1:] if not x.startswith(("Original Line", "Possible"))), "")
        text = f"{text.replace('CSV Error on Line:', 'CSV error on line')}: {detail}".rstrip(": ")
    text = re.sub(r' in file "[^"]*"', "", text)
    return text[:300]


def _candidates(source: str | None, file_format: str) -> list[Tracker]:
    """The trackers a file may belong to: the one named by --source, else every one that reads the format."""
    if source:
        tracker = trackers.get(source)
        if file_format not in tracker.file_formats:
            if file_format == "csv":
                raise RefusedFile(f"a .csv file cannot be a {source} export (use the CSV interchange format)")
            raise RefusedFile(f"a .json file given as --source {source}; {source} exports are CSV files")
        return [tracker]
    return [t for t in trackers.all_trackers() if file_format in t.file_formats]


def _expected(candidates: list[Tracker]) -> str:
    return " or ".join(t.formats_hint for t in candidates)


def recognise_csv(path: Path, source: str | None = None) -> Kind:
    """The kind of a CSV file, from its header."""
    candidates = _candidates(source, "csv")
    header = csv_header(path)
    if not header:
        raise RefusedFile("empty file")
    for tracker in candidates:
        kind = tracker.recognise_csv(header) if tracker.recognise_csv else None
        if kind:
            return kind
    if source:
        raise RefusedFile(
            f"not a {source} export this version understands (expected {_expected(candidates)}; see docs/trackers.md)"
        )
    raise RefusedFile(f"unrecognised CSV header (expected {_expected(candidates)})")


def recognise_json(container: str, keys: set[str], item_keys: set[str], source: str | None) -> Kind:
    """The kind of a parsed JSON document (see :data:`flowmart.trackers.spec.JsonRecogniser`)."""
    candidates = _candidates(source, "json")
    for tracker in candidates:
        kind = tracker.recognise_json(container, keys, item_keys) if tracker.recognise_json else None
        if kind:
            return kind
    shown = ", ".join(sorted(keys if container == "object" else item_keys)[:8])
    where = "top-level keys" if container == "object" else "keys of the first element"
    if source:
        raise RefusedFile(
            f"not a {source} export this version understands (expected "
            f"{_expected(candidates)}; see docs/trackers.md); {where}: {shown}"
        )
    raise RefusedFile(f"unrecognised JSON {container} (expected {_expected(candidates)}); {where}: {shown}")


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _check_unchanged(path: Path, before: tuple[int, int]) -> None:
    """Refuse a file that changed while it was read: it is still being written, and what was read is a part."""
    if after_read:
        after_read(path)
    if _signature(path) != before:
        raise RefusedFile(
            "the file changed while it was being landed (is it still being written?); land it once it is complete"
        )


@contextlib.contextmanager
def literal_path(path: Path) -> Iterator[Path]:
    """A path DuckDB's readers take literally: ``path`` itself, or, when its name holds glob characters
    (``wi*.csv``), a link to it under a plain name in a temporary folder."""
    if not GLOB_CHARACTERS & set(str(path)):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="flowmart-land-") as folder:
        link = Path(folder) / f"file{file_type(path)}"
        link.symlink_to(path)
        yield link


def _duplicate_key(keys: list[str]) -> str | None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return None


def _refuse_duplicate_key(keys: list[str]) -> None:
    """A JSON reader keeps one of two equal keys and drops the other's value: refuse rather than lose it."""
    key = _duplicate_key(keys)
    if key is not None:
        raise RefusedFile(f"the document has the key '{key}' twice: one would be dropped, so the file is refused")


def _issue_ref(kind: Kind, path: Path) -> str | None:
    match = kind.issue_ref.search(path.stem) if kind.issue_ref else None
    return match.group(1) if match else None


# --------------------------------------------------------------------------------------------
# landing


class Claims:
    """The content hashes the landers running side by side are landing right now: a file whose content another
    lander holds waits (it is landed after them, and then found already landed), so parallel batches never
    land the same content twice."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: dict[str, int] = {}

    def take(self, owner: int, digests: Iterable[str]) -> set[str]:
        """Claim ``digests`` for ``owner``; return those another owner holds (not claimed)."""
        with self._lock:
            busy = {d for d in digests if self._owner.get(d, owner) != owner}
            for digest in digests:
                if digest not in busy:
                    self._owner[digest] = owner
            return busy

    def release(self, owner: int) -> None:
        with self._lock:
            for digest in [d for d, o in self._owner.items() if o == owner]:
                del self._owner[digest]


class Lander:
    """Lands files into one DuckDB connection."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        drop_people: bool = False,
        claims: Claims | None = None,
        prepared: bool = False,
        known: dict[str, tuple[int, int, str]] | None = None,
    ):
        self.con = con
        self.claims = claims  # set when landers run side by side (land_files with several workers)
        self._rows_total = 0
        self.db = con.execute(
            "select path from duckdb_databases() where database_name = current_database()"
        ).fetchone()[0]
        # --drop-people: each file's people are pseudonymised in the transaction that lands it
        self.people_key = people.people_key(Path(self.db)) if drop_people else None
        if not prepared:
            ensure_raw_schema(con)
        # path -> (size, mtime_ns, hash) of the files landed before: such a file is not read again
        self.known: dict[str, tuple[int, int, str]] = {} if known is None else known

    def remember(self, paths: Sequence[Path]) -> None:
        """Look up which of ``paths`` landed before with the size and modification time they have now: landing
        skips them without hashing their content again (a file rewritten in place gets a new mtime)."""
        if not paths:
            return
        self.known.update(
            (path, (size, mtime, digest))
            for path, size, mtime, digest in self.con.execute(
                """
                select file_path, any_value(file_bytes), any_value(file_mtime_ns), any_value(file_hash)
                from raw.landing_log
                where status = 'landed' and file_mtime_ns is not null
                    and file_path in (select unnest(?::varchar[]))
                group by file_path, file_bytes, file_mtime_ns
                """,
                [[str(p) for p in paths]],
            ).fetchall()
        )

    def _claim(self, digests: Iterable[str]) -> set[str]:
        """Claim content hashes before looking them up in the landing log; return those another lander holds."""
        return self.claims.take(id(self), list(digests)) if self.claims else set()

    def _release(self) -> None:
        if self.claims:
            self.claims.release(id(self))

    def _known_digest(self, path: Path, signature: tuple[int, int]) -> str | None:
        known = self.known.get(str(path))
        return known[2] if known and (known[0], known[1]) == signature else None

    def _drop_people(self, digests: list[str]) -> None:
        if self.people_key:
            people.pseudonymise(self.con, self.people_key, digests, quarantine=False)

    def _disk_full(self, exc: BaseException, path: Path) -> DiskFull:
        return DiskFull(
            f"{self.db}: the disk is full ({disk_full_reason(exc)}): nothing of {path} was landed; "
            "what was landed before is kept"
        )

    def _rollback(self) -> None:
        try:
            self.con.execute("rollback")
        except duckdb.Error:
            pass  # the failed statement already ended the transaction (a full disk invalidates the database)

    def _drop(self, tables: Iterable[str]) -> None:
        for table in tables:
            try:
                self.con.execute(f"drop table if exists {table}")
            except duckdb.Error:
                return

    # -- one file -------------------------------------------------------------------------

    def land_file(self, path: Path, source: str | None = None, instance: str | None = None) -> FileResult:
        started = time.perf_counter()
        if not path.exists():
            return self._refuse(path, None, 0, None, "no such file", started)
        if not path.is_file():
            return self._refuse(path, None, 0, None, "not a regular file", started)
        try:
            before = _signature(path)
            digest = self._known_digest(path, before)
            if digest:  # landed before as it is now: its path, size and mtime say so, no need to read it
                self._log(path, digest, before[0], None, "skipped", "already landed", 0, started)
                return FileResult(path, "skipped", None, 0, before[0], "already landed", time.perf_counter() - started)
            digest, size = file_digest(path)
        except OSError as exc:
            return self._refuse(path, None, 0, None, f"cannot read: {exc.strerror}", started)
        if self._claim([digest]):  # another lander is landing the same content: this file waits for it
            return FileResult(path, "deferred", None, 0, size, "same content is being landed beside it")
        try:
            return self._land_claimed(path, source, instance, started, before, digest, size)
        finally:
            self._release()

    def _land_claimed(self, path, source, instance, started, before, digest, size) -> FileResult:
        already = self.con.execute(
            "select file_path from raw.landing_log where file_hash = ? and status = 'landed' limit 1", [digest]
        ).fetchone()
        if already:
            reason = "already landed" + ("" if already[0] == str(path) else f" (same content as {already[0]})")
            self._log(path, digest, size, None, "skipped", reason, 0, started)
            return FileResult(path, "skipped", None, 0, size, reason, time.perf_counter() - started)

        if size == 0:
            return self._refuse(path, digest, size, None, "empty file", started)

        kind: Kind | None = None
        temp_tables: tuple[str, ...] = ()
        try:
            suffix = file_type(path)
            if suffix == ".csv":
                kind = recognise_csv(path, source)
            elif is_json(path):
                _candidates(source, "json")  # a .json file given as a CSV-only tracker: refused before parsing
            else:
                raise RefusedFile(f"unsupported file type '{suffix or '(none)'}' (expected .json, .json.gz or .csv)")

            self.con.execute("begin transaction")
            try:
                landed_at = self.con.execute("select now()::timestamptz").fetchone()[0]
                with literal_path(path) as readable:
                    if kind is None:
                        kind = self._parse_json(path, readable, digest, source)
                        sql = kind.sql()
                        temp_tables = sql.temp_tables
                        counts = self._insert(sql, path, digest, instance, _issue_ref(kind, path), kind)
                    else:
                        header = csv_header(path)
                        counts = {kind.table: kind.land_csv(self.con, readable, digest, header, instance, str(path))}
                self._drop_people([digest])
                _check_unchanged(path, before)
                rows = counts.get(kind.table, 0)
                self._rows_total = sum(counts.values())
                self._record_rows(digest, counts)
                self._log(
                    path, digest, size, kind.name, "landed", None, rows, started, landed_at=landed_at, mtime=before[1]
                )
                self.con.execute("commit")
            except BaseException:
                self._rollback()
                raise
        except (RefusedFile, duckdb.Error) as exc:
            if is_disk_full(exc):
                raise self._disk_full(exc, path) from None
            reason = str(exc) if isinstance(exc, RefusedFile) else _duck_reason(exc)
            # a refused CSV file keeps the kind its header named; a refused JSON file records none
            return self._refuse(path, digest, size, kind.name if kind and kind.land_csv else None, reason, started)
        finally:
            self._drop(("_doc", *temp_tables))
        return FileResult(path, "landed", kind.name, rows, size, None, time.perf_counter() - started, self._rows_total)

    # -- JSON --------------------------------------------------------------------------------

    def _parse_json(self, path: Path, readable: Path, digest: str, source: str | None) -> Kind:
        """Read the file (at ``readable``, a name DuckDB takes literally) into the temp table ``_doc`` and
        return its kind."""
        first = _first_char(path)
        if first not in ("{", "["):
            raise RefusedFile("not JSON (expected a JSON object or array)")
        self.con.execute(
            "create or replace temp table _doc as "
            "select json as doc, row_number() over () as pos, "
            "?::varchar as _source_file, ?::varchar as _file_hash, null::varchar as _issue_ref "
            "from read_json_objects(?, format = 'auto', maximum_object_size = ?)",
            [str(path), digest, str(readable), JSON_MAX_OBJECT_SIZE],
        )
        count = self.con.execute("select count(*) from _doc").fetchone()[0]
        if count == 0:
            raise RefusedFile("JSON holds no records")
        if first == "{":
            if count != 1:
                raise RefusedFile("expected one JSON document, found several")
            keys, item_keys = self.con.execute(
                "select json_keys(doc), "
                "case when json_type(doc -> 'value') = 'ARRAY' then json_keys(doc -> 'value' -> 0) end from _doc"
            ).fetchone()
            _refuse_duplicate_key(keys or [])
            return recognise_json("object", set(keys or []), set(item_keys or []), source)
        item_keys = self.con.execute("select json_keys(doc) from _doc where pos = 1").fetchone()[0]
        return recognise_json("array", set(), set(item_keys or []), source)

    def _insert(
        self, statements: KindSql, path: Path, digest: str, instance: str | None, issue_ref: str | None, kind: Kind
    ) -> dict[str, int]:
        """Run a kind's checks and insert statements; return the rows landed per raw table."""
        if kind.needs_issue_ref and not issue_ref:
            raise RefusedFile(kind.needs_issue_ref)
        if issue_ref:
            self.con.execute("update _doc set _issue_ref = ?", [issue_ref])
        params = {"source_file": str(path), "file_hash": digest, "instance": instance, "issue_ref": issue_ref}
        if statements.precheck:
            problem = self.con.execute(statements.precheck).fetchone()
            if problem and problem[0]:
                raise RefusedFile(problem[0])
        for sql in statements.prepare:
            self.con.execute(sql, _subset(sql, params))
        problem = self.con.execute(statements.validate, _subset(statements.validate, params)).fetchone()
        if problem and problem[0]:
            raise RefusedFile(problem[0])
        counts: dict[str, int] = {}
        for sql in statements.inserts:
            table = INSERT_TARGET.search(sql).group(1)
            counts[table] = counts.get(table, 0) + self.con.execute(sql, _subset(sql, params)).fetchone()[0]
        return counts

    # -- many pages at once --------------------------------------------------------------------

    def land_batch(self, paths: list[Path], source: str | None = None, instance: str | None = None) -> list[FileResult]:
        """Land a run of JSON files, the pages of batchable kinds among them in one transaction.

        Per-file overhead (a dozen statements, each parsing the page) dominates landing 100-issue pages, so
        pages that are well formed are read by one statement (as text) and inserted set-based together with
        their landing_log rows. Per-file atomicity still holds: a file is in the transaction whole or not at
        all, and if anything about the batch fails the transaction is rolled back. Every file the batch does
        not take (refusals, duplicates, other kinds, arrays) goes through :meth:`land_file`, which gives it
        its own one-line reason.
        """
        done: dict[Path, FileResult] = {}
        if len(paths) > 1 and (source is None or any(k.batchable for k in trackers.get(source).kinds)):
            temps = {t for k in trackers.kinds().values() if k.batchable for t in k.sql().temp_tables}
            try:
                done = self._land_pages(paths, source, instance)
            finally:
                self._drop(("_doc", "_files", "_batch", *sorted(temps)))
        return [done.get(path) or self.land_file(path, source=source, instance=instance) for path in paths]

    def _land_pages(self, paths: list[Path], source: str | None, instance: str | None) -> dict[Path, FileResult]:
        started = time.perf_counter()
        candidates: dict[str, tuple[Path, str, int]] = {}
        hashes: set[str] = set()
        signatures: dict[Path, tuple[int, int]] = {}
        known: dict[Path, FileResult] = {}  # landed before as they are now: skipped unread
        skipped_log: list[tuple] = []
        for path in paths:
            if GLOB_CHARACTERS & set(str(path)):
                continue  # read on its own, through a literal name
            try:
                if not path.is_file():
                    continue
                signatures[path] = _signature(path)
                digest = self._known_digest(path, signatures[path])
                if digest:
                    known[path] = FileResult(path, "skipped", None, 0, signatures[path][0], "already landed")
                    skipped_log.append((path, digest, signatures[path][0], None, "skipped", "already landed", 0, None))
                    continue
                if _first_char(path) != "{":
                    continue
                digest, size = file_digest(path)
            except (OSError, RefusedFile):
                continue  # read on its own, which says why
            if digest not in hashes:
                hashes.add(digest)
                candidates[str(path)] = (path, digest, size)
        self._log_many(skipped_log)
        if not candidates:
            return known
        try:
            return self._land_claimed_pages(candidates, hashes, signatures, known, source, instance, started)
        finally:
            self._release()

    def _land_claimed_pages(self, candidates, hashes, signatures, known, source, instance, started):
        busy = self._claim(hashes)  # content another lander is landing: those files go on their own, later
        candidates = {name: c for name, c in candidates.items() if c[1] not in busy}
        landed = {
            h
            for (h,) in self.con.execute(
                "select distinct file_hash from raw.landing_log where status = 'landed' and file_hash in (select unnest(?))",
                [sorted(hashes)],
            ).fetchall()
        }
        candidates = {name: c for name, c in candidates.items() if c[1] not in landed}
        if len(candidates) < 2:
            return known
        # Plain pages are read as text. read_json_objects splits each file into its documents, where a page
        # here holds one: reading 64 MB and finding the pages' kinds took it 0.76 s on one thread, text
        # 0.15-0.18 s (docs/adr/0082). The text is not parsed here: the next statement's
        # json_keys is its first parse, and a page it cannot parse (not valid JSON, several documents) has no
        # keys, is left out of the run and goes on its own, with its reason. A byte order mark is dropped.
        # Compressed pages need the JSON reader, which decompresses them.
        plain = [name for name in candidates if file_type(Path(name)) == ".json"]
        packed = [name for name in candidates if file_type(Path(name)) != ".json"]
        reads, params = [], []
        if plain:
            reads.append("select filename as _source_file, ltrim(content, chr(65279)) as doc from read_text(?)")
            params.append(plain)
        if packed:
            reads.append(
                "select filename as _source_file, json::varchar as doc "
                "from read_json_objects(?, format = 'auto', maximum_object_size = ?, filename = true)"
            )
            params.extend([packed, JSON_MAX_OBJECT_SIZE])
        try:
            self.con.execute("create or replace temp table _batch as " + " union all ".join(reads), params)
        except duckdb.Error as exc:
            if is_disk_full(exc):
                raise self._disk_full(exc, Path(next(iter(candidates)))) from None
            return known  # a compressed page is not valid JSON, or a page not text: each goes on its own
        kinds: dict[int, tuple[Kind, list[str]]] = {}
        for name, count, keys in self.con.execute(
            "select _source_file, count(*), any_value(try(json_keys(doc))) from _batch group by _source_file"
        ).fetchall():
            if count != 1 or keys is None or _duplicate_key(keys) is not None:
                continue
            try:
                kind = recognise_json("object", set(keys), set(), source)
            except RefusedFile:
                continue
            if kind.batchable:
                kinds.setdefault(id(kind), (kind, []))[1].append(name)
        if not kinds:
            return known
        self.con.execute(
            "create or replace temp table _files (_source_file varchar, _file_hash varchar, _issue_ref varchar)"
        )
        files = [
            (name, digest, _issue_ref(kind, path))
            for kind, members in kinds.values()
            for name in members
            for path, digest, _ in [candidates[name]]
        ]
        names, digests, refs = (list(c) for c in zip(*files, strict=True))
        self.con.execute(
            "insert into _files select unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::varchar[])",
            [names, digests, refs],
        )

        params = {"instance": instance}
        counts: dict[str, dict[str, int]] = {}  # file -> rows per raw table
        results: dict[Path, FileResult] = {}
        self.con.execute("begin transaction")
        try:
            for kind, members in kinds.values():
                statements = kind.sql()
                self.con.execute(
                    "create or replace temp table _doc as "
                    "select _batch.doc, 1 as pos, _batch._source_file, _files._file_hash, _files._issue_ref "
                    "from _batch join _files using (_source_file) where _source_file in (select unnest(?))",
                    [members],
                )
                bad = {f for _, f in self.con.execute(statements.precheck).fetchall()} if statements.precheck else set()
                self._drop_docs(bad)
                for sql in statements.prepare:
                    self.con.execute(sql, _subset(sql, params))
                invalid = {
                    f for _, f in self.con.execute(statements.validate, _subset(statements.validate, params)).fetchall()
                }
                if invalid:  # leave them to land_file; prepare again without them
                    self._drop_docs(invalid)
                    for sql in statements.prepare:
                        self.con.execute(sql, _subset(sql, params))
                    bad |= invalid
                good = [f for f in members if f not in bad]
                for sql in statements.inserts:
                    # each insert reads one temp table with _source_file: count its rows per file first
                    table = INSERT_TARGET.search(sql).group(1)
                    source_temp = re.search(r"\bfrom\s+(_\w+)", sql).group(1)
                    for name, n in self.con.execute(
                        f"select _source_file, count(*) from {source_temp} group by 1"
                    ).fetchall():
                        per_file = counts.setdefault(name, {})
                        per_file[table] = per_file.get(table, 0) + n
                    self.con.execute(sql, _subset(sql, params))
                self._drop_people([candidates[name][1] for name in good])
                landed_rows, log = [], []
                for name in good:
                    path, digest, size = candidates[name]
                    _check_unchanged(path, signatures[path])
                    per_file = counts.setdefault(name, {})
                    landed_rows.extend((digest, table, n) for table, n in per_file.items() if n)
                    rows = per_file.get(kind.table, 0)
                    log.append((path, digest, size, kind.name, "landed", None, rows, signatures[path][1]))
                    results[path] = FileResult(path, "landed", kind.name, rows, size, None, 0.0, sum(per_file.values()))
                self._record_rows_many(landed_rows)
                self._log_many(log)
            self.con.execute("commit")
        except (RefusedFile, duckdb.Error) as exc:
            # a file changed while it was read, or the batch failed: each file goes on its own, with its reason
            self._rollback()
            if is_disk_full(exc):
                raise self._disk_full(exc, Path(next(iter(candidates)))) from None
            return known
        except BaseException:
            self._rollback()
            raise
        share = (time.perf_counter() - started) / max(len(results), 1)
        for result in results.values():
            result.seconds = share
        return {**known, **results}

    def _drop_docs(self, names: set[str]) -> None:
        if names:
            self.con.execute("delete from _doc where _source_file in (select unnest(?))", [sorted(names)])

    # -- log ---------------------------------------------------------------------------------

    def _record_rows(self, digest: str, counts: dict[str, int]) -> None:
        self._record_rows_many([(digest, table, n) for table, n in counts.items() if n])

    def _record_rows_many(self, rows: list[tuple[str, str, int]]) -> None:
        if rows:
            hashes, tables, counts = (list(c) for c in zip(*rows, strict=True))
            self.con.execute(
                "insert into raw.landed_rows select unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::bigint[])",
                [hashes, tables, counts],
            )

    def _log(self, path, digest, size, kind, status, reason, rows, started, landed_at=None, mtime=None) -> None:
        self._log_many([(path, digest, size, kind, status, reason, rows, mtime)], landed_at)

    def _log_many(self, entries: list[tuple], landed_at=None) -> None:
        """Landing-log rows (path, hash, bytes, kind, status, reason, rows, mtime_ns) in one statement."""
        if not entries:
            return
        columns = list(zip(*entries, strict=True))
        self.con.execute(
            """
            insert into raw.landing_log
                (landing_id, file_path, file_hash, file_bytes, kind, status, reason, rows, started_at, finished_at,
                 file_mtime_ns)
            select
                uuid()::varchar, unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::bigint[]),
                unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::bigint[]),
                coalesce(?::timestamptz, now()::timestamptz), now()::timestamptz, unnest(?::bigint[])
            """,
            [
                [str(p) for p in columns[0]],
                list(columns[1]),
                list(columns[2]),
                list(columns[3]),
                list(columns[4]),
                list(columns[5]),
                list(columns[6]),
                landed_at,
                list(columns[7]),
            ],
        )

    def _refuse(self, path, digest, size, kind, reason, started) -> FileResult:
        reason = " ".join(str(reason).split())
        try:
            self._log(path, digest, size, kind, "refused", reason, 0, started)
        except duckdb.Error as exc:
            if is_disk_full(exc):
                raise self._disk_full(exc, path) from None
            raise
        return FileResult(path, "refused", kind, 0, size, reason, time.perf_counter() - started)


def _subset(sql: str, params: dict) -> dict:
    return {k: v for k, v in params.items() if f"${k}" in sql}


# --------------------------------------------------------------------------------------------
# batch


def land_files(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    source: str | None = None,
    instance: str | None = None,
    progress: Callable[[int, int, FileResult], None] | None = None,
    drop_people: bool = False,
    workers: int | None = None,
) -> list[FileResult]:
    """Land files (and folders of them). Runs of JSON files go through :meth:`Lander.land_batch`, ``workers``
    runs side by side (default: ``settings.landing_workers()``; one with ``drop_people``).
    ``drop_people``: pseudonymise the people each file names as it lands (:mod:`flowmart.people`).
    Results come back in the order of the files."""
    lander = Lander(con, drop_people=drop_people)
    files = expand_paths(paths)
    lander.remember(files)
    workers = 1 if drop_people else max(1, workers or settings.landing_workers())
    before = {name: con.execute(f"select current_setting('{name}')").fetchone()[0] for name in LANDING_SETTINGS}
    for name, value in LANDING_SETTINGS.items():
        con.execute(f"set {name} = '{value}'")
    try:
        return _land_jobs(lander, files, _jobs(files), source, instance, progress, workers)
    finally:
        with contextlib.suppress(duckdb.Error):  # a full disk invalidates the database: its error stands
            for name, value in before.items():
                con.execute(f"set {name} = '{value}'")


def _jobs(files: list[Path]) -> list[tuple[bool, list[int]]]:
    """The files in landing order as jobs (is a run of JSON files, their indexes): runs of at most
    BATCH_FILES files or BATCH_BYTES bytes, every other file on its own."""
    jobs: list[tuple[bool, list[int]]] = []
    run: list[int] = []
    run_bytes = 0
    for index, path in enumerate(files):
        if is_json(path) and path.is_file():
            run.append(index)
            run_bytes += path.stat().st_size
            if len(run) >= BATCH_FILES or run_bytes >= BATCH_BYTES:
                jobs.append((True, run))
                run, run_bytes = [], 0
            continue
        if run:
            jobs.append((True, run))
            run, run_bytes = [], 0
        jobs.append((False, [index]))
    if run:
        jobs.append((True, run))
    return jobs


def _land_jobs(
    lander: Lander,
    files: list[Path],
    jobs: list[tuple[bool, list[int]]],
    source: str | None,
    instance: str | None,
    progress: Callable[[int, int, FileResult], None] | None,
    workers: int,
) -> list[FileResult]:
    results: list[FileResult | None] = [None] * len(files)
    reported = 0
    guard = threading.Lock()

    def run(worker: Lander, job: tuple[bool, list[int]]) -> None:
        nonlocal reported
        is_run, indexes = job
        paths = [files[i] for i in indexes]
        if is_run:
            landed = worker.land_batch(paths, source=source, instance=instance)
        else:
            landed = [worker.land_file(paths[0], source=source, instance=instance)]
        with guard:
            for index, result in zip(indexes, landed, strict=True):
                results[index] = result
                if result.status != "deferred":
                    reported += 1
                    if progress:
                        progress(reported, len(files), result)

    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            run(lander, job)
        return results  # type: ignore[return-value]

    # Side by side: each worker has its own connection to the warehouse (its own temp tables and
    # transactions; DuckDB appends from several transactions to one table without conflict). Most landing
    # statements read a temp table of a few hundred pages, one row group, so DuckDB runs each on one
    # thread: two batches at once keep both cores busy (docs/adr/0075).
    claims = Claims()
    local = threading.local()
    opened: list[Lander] = []

    def worker() -> Lander:
        if not hasattr(local, "lander"):
            local.lander = Lander(lander.con.cursor(), claims=claims, prepared=True, known=lander.known)
            with guard:
                opened.append(local.lander)
        return local.lander

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flowmart-land")
    try:
        for future in [pool.submit(lambda job=job: run(worker(), job)) for job in jobs]:
            future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # after an error (a full disk): start no further batch
        for each in opened:
            with contextlib.suppress(duckdb.Error):
                each.con.close()
    # files whose content another worker was landing at the time: now it has landed (or was refused)
    for index, result in enumerate(results):
        if result is not None and result.status == "deferred":
            run(lander, (False, [index]))
    return results  # type: ignore[return-value]


def land(db: str | Path | Warehouse, paths: Sequence[str | Path], **kwargs) -> list[FileResult]:
    """Open the warehouse and land ``paths`` (files or folders), holding its writer lock."""
    warehouse = db if isinstance(db, Warehouse) else Warehouse(Path(db))
    with warehouse.writing(), warehouse.connect() as con:
        return land_files(con, paths, **kwargs)
