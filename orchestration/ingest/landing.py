"""Land tracker export files in DuckDB's `raw` schema.

One call of :func:`land_files` lands a batch of files. Each file is:

* hashed (sha256 of its bytes) — a hash already landed is skipped, so landing is idempotent;
* recognised (Jira search page, Jira changelog page, Jira status list, CSV work items, CSV status changes,
  and the GitHub, GitLab, Azure Boards and Linear exports of :mod:`orchestration.ingest.trackers`);
* read by DuckDB's own readers (``read_json_objects`` / ``read_csv``) and inserted set-based,
  inside one transaction together with its ``raw.landing_log`` row — a file lands completely or not at all;
* refused with a one-line reason (recorded in ``raw.landing_log``) when it is corrupt, truncated or
  wrongly shaped. Other files of the batch still land; nothing landed before is touched.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest import linear, schema, trackers

JSON_MAX_OBJECT_SIZE = 1 << 30  # a search page of 1,000 issues with changelogs is far below 1 GB
SUPPORTED_SUFFIXES = {".json", ".csv"}
SOURCES = ("jira", "csv", *trackers.SOURCES)
TEMP_TABLES = ("_doc", "_iss", "_iss2", "_hist", "_items", "_page", "_st", "_batch", *trackers.TEMP_TABLES)
JIRA_ISSUE_REF = re.compile(r"issue[_-]?([A-Za-z][A-Za-z0-9_]*-\d+|\d+)")
BATCH_BYTES = 64 << 20  # Jira pages landed together in one transaction (see land_files)
BATCH_FILES = 500
CSV_SOURCES = ("csv", "linear")


class RefusedFile(Exception):
    """A file that cannot be landed; the message is the one-line reason shown to the user."""


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


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus every .json/.csv file under named folders (sorted, recursive)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            )
        else:
            found.append(path)
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
    with path.open("rb") as handle:
        head = handle.read(4096)
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


def _csv_header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RefusedFile(f"header is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    row = next(csv.reader(io.StringIO(line)), [])
    return [c.strip() for c in row]


def recognise_csv(path: Path) -> str:
    header = _csv_header(path)
    if not header:
        raise RefusedFile("empty file")
    columns = set(header)
    for kind in ("csv_status_changes", "csv_work_items"):
        spec = schema.CSV_KINDS[kind]
        if spec.signature <= columns:
            missing = [c for c in spec.required if c not in columns]
            if missing:
                raise RefusedFile(f"{kind} file lacks required column(s): {', '.join(missing)}")
            return kind
    raise RefusedFile(
        "unrecognised CSV header (expected the work_items.csv or status_changes.csv columns, see docs/input-formats.md)"
    )


# --------------------------------------------------------------------------------------------
# landing


class Lander:
    """Lands files into one DuckDB connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self._rows_total = 0
        schema.ensure_raw_schema(con)

    # -- one file -------------------------------------------------------------------------

    def land_file(self, path: Path, source: str | None = None, instance: str | None = None) -> FileResult:
        started = time.perf_counter()
        if not path.exists():
            return self._refuse(path, None, 0, None, "no such file", started)
        if not path.is_file():
            return self._refuse(path, None, 0, None, "not a regular file", started)
        try:
            digest, size = file_digest(path)
        except OSError as exc:
            return self._refuse(path, None, 0, None, f"cannot read: {exc.strerror}", started)

        already = self.con.execute(
            "select file_path from raw.landing_log where file_hash = ? and status = 'landed' limit 1", [digest]
        ).fetchone()
        if already:
            reason = "already landed" + ("" if already[0] == str(path) else f" (same content as {already[0]})")
            self._log(path, digest, size, None, "skipped", reason, 0, started)
            return FileResult(path, "skipped", None, 0, size, reason, time.perf_counter() - started)

        if size == 0:
            return self._refuse(path, digest, size, None, "empty file", started)

        kind = None
        try:
            suffix = path.suffix.lower()
            if suffix == ".csv":
                if source not in (None, *CSV_SOURCES):
                    raise RefusedFile(f"a .csv file cannot be a {source} export (use the CSV interchange format)")
                kind = trackers.recognise_csv(_csv_header(path), source) if source != "csv" else None
                if kind is None and source == "linear":
                    raise RefusedFile(
                        "not a Linear CSV export (expected its columns ID, Team, Title, Status, Created, Started, ...)"
                    )
                kind = kind or recognise_csv(path)
            elif suffix == ".json":
                if source in CSV_SOURCES:
                    raise RefusedFile(f"a .json file given as --source {source}; {source} exports are CSV files")
                kind = None  # decided after parsing
            else:
                raise RefusedFile(f"unsupported file type '{suffix or '(none)'}' (expected .json or .csv)")

            self.con.execute("begin transaction")
            try:
                landed_at = self.con.execute("select now()::timestamptz").fetchone()[0]
                if kind is None:
                    kind, rows = self._land_json(path, digest, instance, source)
                elif kind == "linear_issues":
                    try:
                        rows = linear.land_csv(self.con, path, digest, _csv_header(path), instance)
                    except ValueError as exc:
                        raise RefusedFile(str(exc)) from None
                else:
                    rows = self._land_csv(path, digest, kind)
                self._log(path, digest, size, kind, "landed", None, rows, started, landed_at=landed_at)
                self.con.execute("commit")
            except BaseException:
                self.con.execute("rollback")
                raise
        except RefusedFile as exc:
            return self._refuse(path, digest, size, kind, str(exc), started)
        except duckdb.Error as exc:
            return self._refuse(path, digest, size, kind, _duck_reason(exc), started)
        finally:
            for temp in TEMP_TABLES:
                self.con.execute(f"drop table if exists {temp}")
        return FileResult(path, "landed", kind, rows, size, None, time.perf_counter() - started, self._rows_total)

    # -- JSON --------------------------------------------------------------------------------

    def _land_json(self, path: Path, digest: str, instance: str | None, source: str | None = None) -> tuple[str, int]:
        first = _first_char(path)
        if first not in ("{", "["):
            raise RefusedFile("not JSON (expected a JSON object or array)")
        ref = JIRA_ISSUE_REF.search(path.stem)
        self.con.execute(
            "create or replace temp table _doc as "
            "select json as doc, row_number() over () as pos, "
            "?::varchar as _source_file, ?::varchar as _file_hash, ?::varchar as _issue_ref "
            "from read_json_objects(?, format = 'auto', maximum_object_size = ?)",
            [str(path), digest, ref.group(1) if ref else None, str(path), JSON_MAX_OBJECT_SIZE],
        )
        count = self.con.execute("select count(*) from _doc").fetchone()[0]
        if count == 0:
            raise RefusedFile("JSON holds no records")
        if first == "{":
            if count != 1:
                raise RefusedFile("expected one JSON document, found several")
            keys = set(self.con.execute("select json_keys(doc) from _doc").fetchone()[0] or [])
            if source != "jira":
                item_keys = set(
                    self.con.execute(
                        "select case when json_type(doc -> 'value') = 'ARRAY' then json_keys(doc -> 'value' -> 0) end from _doc"
                    ).fetchone()[0] or []
                )
                tracker_kind = trackers.recognise_json("object", keys, item_keys, source)
                if tracker_kind:
                    return tracker_kind, self._insert_tracker(tracker_kind, path, digest, instance)
                if source in trackers.SOURCES:
                    raise RefusedFile(f"not a {source} export this version understands (see docs/trackers.md); "
                                      "top-level keys: " + ", ".join(sorted(keys)[:8]))
            if "issues" in keys:
                return "jira_search", self._insert(schema.jira_search_sql(), path, digest, instance)
            if "values" in keys:
                return "jira_changelog_page", self._insert(schema.jira_changelog_page_sql(), path, digest, instance)
            raise RefusedFile(
                "unrecognised JSON object (expected a Jira search response with 'issues' "
                "or a changelog page with 'values'); top-level keys: " + ", ".join(sorted(keys)[:8])
            )
        keys = set(self.con.execute("select json_keys(doc) from _doc where pos = 1").fetchone()[0] or [])
        if source != "jira":
            tracker_kind = trackers.recognise_json("array", set(), keys, source)
            if tracker_kind:
                return tracker_kind, self._insert_tracker(tracker_kind, path, digest, instance)
            if source in trackers.SOURCES:
                raise RefusedFile(f"not a {source} export this version understands (see docs/trackers.md); "
                                  "keys of the first element: " + ", ".join(sorted(keys)[:8]))
        if "statusCategory" in keys and "name" in keys:
            return "jira_statuses", self._insert(schema.jira_statuses_sql(), path, digest, instance)
        if "items" in keys and "created" in keys:
            if not ref:
                raise RefusedFile(
                    "a bare changelog array does not say which issue it belongs to: "
                    "name the file *issue_<id or key>*.json (e.g. changelog_issue_10042.json)"
                )
            return "jira_changelog_page", self._insert(schema.jira_changelog_array_sql(), path, digest, instance)
        raise RefusedFile("unrecognised JSON array (expected a Jira status list or changelog histories)")

    def _insert_tracker(self, kind: str, path: Path, digest: str, instance: str | None) -> int:
        # per-issue event lists (GitHub /issues/{n}/events or /timeline) name their issue in the file name
        ref = re.search(r"issues?[_-]?(\d+)", path.stem)
        return self._insert(trackers.KINDS[kind](), path, digest, instance, issue_ref=ref.group(1) if ref else None)

    def _insert(self, statements, path: Path, digest: str, instance: str | None, issue_ref: str | None = None) -> int:
        """Run a kind's checks and insert statements; return the records landed in its main table."""
        params = {
            "source_file": str(path),
            "file_hash": digest,
            "instance": instance,
            "issue_ref": issue_ref,
        }
        if statements.precheck:
            problem = self.con.execute(statements.precheck).fetchone()
            if problem and problem[0]:
                raise RefusedFile(problem[0])
        for sql in statements.prepare:
            self.con.execute(sql, _subset(sql, params))
        problem = self.con.execute(statements.validate, _subset(statements.validate, params)).fetchone()
        if problem and problem[0]:
            raise RefusedFile(problem[0])
        counts = [self.con.execute(sql, _subset(sql, params)).fetchone()[0] for sql in statements.inserts]
        self._rows_total = sum(counts)
        return counts[0]

    # -- many Jira pages at once ---------------------------------------------------------------

    def land_batch(self, paths: list[Path], source: str | None = None, instance: str | None = None) -> list[FileResult]:
        """Land a run of JSON files, the plain Jira pages among them in one transaction.

        Per-file overhead (a dozen statements, each parsing the page) dominates landing 100-issue pages, so
        pages that are well formed are read by one ``read_json_objects`` call and inserted set-based together
        with their landing_log rows. Per-file atomicity still holds: a file is in the transaction whole or not
        at all, and if anything about the batch fails the transaction is rolled back. Every file the batch
        does not take (refusals, duplicates, other trackers, arrays) goes through :meth:`land_file`, which
        gives it its own one-line reason.
        """
        done: dict[Path, FileResult] = {}
        if source in (None, "jira") and len(paths) > 1:
            try:
                done = self._land_jira_pages(paths, instance)
            finally:
                for temp in (*TEMP_TABLES, "_files"):
                    self.con.execute(f"drop table if exists {temp}")
        return [done.get(path) or self.land_file(path, source=source, instance=instance) for path in paths]

    def _land_jira_pages(self, paths: list[Path], instance: str | None) -> dict[Path, FileResult]:
        started = time.perf_counter()
        candidates: dict[str, tuple[Path, str, int]] = {}
        hashes: set[str] = set()
        for path in paths:
            try:
                if not path.is_file() or _first_char(path) != "{":
                    continue
                digest, size = file_digest(path)
            except OSError:
                continue
            if digest not in hashes:
                hashes.add(digest)
                candidates[str(path)] = (path, digest, size)
        if not candidates:
            return {}
        landed = {
            h for (h,) in self.con.execute(
                "select distinct file_hash from raw.landing_log where status = 'landed' and file_hash in (select unnest(?))",
                [sorted(hashes)],
            ).fetchall()
        }
        candidates = {name: c for name, c in candidates.items() if c[1] not in landed}
        if len(candidates) < 2:
            return {}
        self.con.execute("create or replace temp table _files (_source_file varchar, _file_hash varchar, _issue_ref varchar)")
        self.con.executemany(
            "insert into _files values (?, ?, ?)",
            [[name, digest, (m.group(1) if (m := JIRA_ISSUE_REF.search(path.stem)) else None)]
             for name, (path, digest, _) in candidates.items()],
        )
        try:
            self.con.execute(
                "create or replace temp table _batch as "
                "select filename as _source_file, json as doc "
                "from read_json_objects(?, format = 'auto', maximum_object_size = ?, filename = true)",
                [list(candidates), JSON_MAX_OBJECT_SIZE],
            )
        except duckdb.Error:
            return {}  # some file is not valid JSON: each goes on its own, with its reason
        kinds: dict[str, list[str]] = {"jira_search": [], "jira_changelog_page": []}
        for name, count, keys in self.con.execute(
            "select _source_file, count(*), any_value(json_keys(doc)) from _batch group by _source_file"
        ).fetchall():
            keys = set(keys or [])
            if count != 1 or trackers.recognise_json("object", keys, set(), None):
                continue
            if "issues" in keys:
                kinds["jira_search"].append(name)
            elif "values" in keys:
                kinds["jira_changelog_page"].append(name)

        params = {"instance": instance}
        counts: dict[str, list[int]] = {}  # file -> [records, rows in every table]
        self.con.execute("begin transaction")
        try:
            for kind, statements in (("jira_search", schema.jira_search_sql()),
                                     ("jira_changelog_page", schema.jira_changelog_page_sql())):
                members = kinds[kind]
                if not members:
                    continue
                self.con.execute(
                    "create or replace temp table _doc as "
                    "select _batch.doc, 1 as pos, _batch._source_file, _files._file_hash, _files._issue_ref "
                    "from _batch join _files using (_source_file) where _source_file in (select unnest(?))",
                    [members],
                )
                bad = {f for _, f in self.con.execute(statements.precheck).fetchall()}
                self._drop_docs(bad)
                for sql in statements.prepare:
                    self.con.execute(sql, _subset(sql, params))
                invalid = {f for _, f in self.con.execute(statements.validate, _subset(statements.validate, params)).fetchall()}
                if invalid:  # leave them to land_file; prepare again without them
                    self._drop_docs(invalid)
                    for sql in statements.prepare:
                        self.con.execute(sql, _subset(sql, params))
                    bad |= invalid
                good = [f for f in members if f not in bad]
                main = "_iss2" if kind == "jira_search" else "_items"
                for name, n in self.con.execute(f"select _source_file, count(*) from {main} group by 1").fetchall():
                    counts.setdefault(name, [0, 0])[0] = n
                for name, n in self.con.execute("select _source_file, count(*) from _items group by 1").fetchall():
                    counts.setdefault(name, [0, 0])[1] += n
                if kind == "jira_search":
                    for name in good:
                        counts.setdefault(name, [0, 0])[1] += counts[name][0]
                for sql in statements.inserts:
                    self.con.execute(sql, _subset(sql, params))
                for name in good:
                    counts.setdefault(name, [0, 0])
                    path, digest, size = candidates[name]
                    self._log(path, digest, size, kind, "landed", None, counts[name][0], started)
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            return {}
        elapsed = time.perf_counter() - started
        share = elapsed / max(len(counts), 1)
        results = {}
        for kind, members in kinds.items():
            for name in members:
                if name in counts:
                    path, _, size = candidates[name]
                    results[path] = FileResult(path, "landed", kind, counts[name][0], size, None, share, counts[name][1])
        return results

    def _drop_docs(self, names: set[str]) -> None:
        if names:
            self.con.execute("delete from _doc where _source_file in (select unnest(?))", [sorted(names)])

    # -- CSV ---------------------------------------------------------------------------------

    def _land_csv(self, path: Path, digest: str, kind: str) -> int:
        spec = schema.CSV_KINDS[kind]
        header = _csv_header(path)
        present = set(header)
        columns = "{" + ", ".join("'" + c.replace("'", "''") + "': 'VARCHAR'" for c in header) + "}"
        select_list = ",\n".join(
            f'"{c}"::varchar as {c}' if c in present else f"null::varchar as {c}" for c in spec.columns
        )
        self.con.execute(
            f"""
            insert into raw.{kind}
            select
                {select_list},
                ?::varchar as _source_file,
                ?::varchar as _file_hash,
                row_number() over () as _record_position,
                now()::timestamptz as _landed_at
            from read_csv(?, header = true, auto_detect = false, strict_mode = true,
                          delim = ',', quote = '"', escape = '"', columns = {columns})
            """,
            [str(path), digest, str(path)],
        )
        rows = self.con.execute(f"select count(*) from raw.{kind} where _file_hash = ?", [digest]).fetchone()[0]
        self._rows_total = rows
        blank = self.con.execute(
            f"select count(*) from raw.{kind} where _file_hash = ? and ("
            + " or ".join(f"{c} is null" for c in spec.keys)
            + ")",
            [digest],
        ).fetchone()[0]
        if blank:
            raise RefusedFile(f"{blank} row(s) with an empty key column ({', '.join(spec.keys)})")
        return rows

    # -- log ---------------------------------------------------------------------------------

    def _log(self, path, digest, size, kind, status, reason, rows, started, landed_at=None) -> None:
        self.con.execute(
            """
            insert into raw.landing_log
                (landing_id, file_path, file_hash, file_bytes, kind, status, reason, rows, started_at, finished_at)
            values (?, ?, ?, ?, ?, ?, ?, ?, coalesce(?::timestamptz, now()::timestamptz), now()::timestamptz)
            """,
            [str(uuid.uuid4()), str(path), digest, size, kind, status, reason, rows, landed_at],
        )

    def _refuse(self, path, digest, size, kind, reason, started) -> FileResult:
        reason = " ".join(str(reason).split())
        self._log(path, digest, size, kind, "refused", reason, 0, started)
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
) -> list[FileResult]:
    """Land files (and folders of them). Runs of JSON files go through :meth:`Lander.land_batch`."""
    lander = Lander(con)
    files = expand_paths(paths)
    results: list[FileResult] = []

    def report(batch_results: list[FileResult]) -> None:
        for result in batch_results:
            results.append(result)
            if progress:
                progress(len(results), len(files), result)

    run: list[Path] = []
    run_bytes = 0
    for path in files:
        if path.suffix.lower() == ".json" and path.is_file():
            run.append(path)
            run_bytes += path.stat().st_size
            if len(run) >= BATCH_FILES or run_bytes >= BATCH_BYTES:
                report(lander.land_batch(run, source=source, instance=instance))
                run, run_bytes = [], 0
            continue
        if run:
            report(lander.land_batch(run, source=source, instance=instance))
            run, run_bytes = [], 0
        report([lander.land_file(path, source=source, instance=instance)])
    if run:
        report(lander.land_batch(run, source=source, instance=instance))
    return results


def land(db: str | Path, paths: Sequence[str | Path], **kwargs) -> list[FileResult]:
    """Open the warehouse file and land ``paths`` (files or folders)."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db)) as con:
        return land_files(con, paths, **kwargs)
