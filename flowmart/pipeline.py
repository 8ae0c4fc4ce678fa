"""One refresh, step by step: land -> gate -> dbt build -> (report) -> publish.

Plain functions with typed settings. The CLI (:mod:`flowmart.cli`) and the Dagster assets
(``orchestration/``) both call them, so the order and the rules live here:

* the gate runs before dbt, and a critical failure stops the refresh before dbt (:class:`GateFailed`);
* every dbt build is recorded in ``raw.build_log`` (:func:`recorded_build`): running, then complete or
  failed, whether the gate passed, and whether it built everything as of now;
* publishing takes only a build that completed and built every model (:func:`publish`); a build killed
  half way, or one limited by ``--select``, is refused with its reason and readers keep the current
  version; a refresh publishes by itself only a build as of now;
* :func:`refresh` holds the warehouse's writer lock from the gate to the publish, so nothing lands in between.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from expectations.shared import CRITICAL, GateSettings
from flowmart import dbt
from flowmart.landing import FileResult, land_files
from flowmart.warehouse import DiskFull, Warehouse, disk_full_reason, ensure_raw_schema, is_disk_full

DEFAULT_DOCS_DIR = Path("reports") / "data-docs"

Say = Callable[[str], None]

# Test hook: FLOWMART_PAUSE_AT="<point>:<folder>" makes the step stop at <point>, touch
# <folder>/<point>.reached and go on once <folder>/<point>.go exists, so a race is reproduced by events.
PAUSE_AT = "FLOWMART_PAUSE_AT"


def pause_point(name: str) -> None:
    point, _, folder = os.environ.get(PAUSE_AT, "").partition(":")
    if point != name or not folder:
        return
    (Path(folder) / f"{name}.reached").touch()
    while not (Path(folder) / f"{name}.go").exists():
        time.sleep(0.02)


class StepFailed(Exception):
    """A step that cannot go on; the message is one line for the user."""


class GateFailed(StepFailed):
    pass


@dataclass(frozen=True)
class GateOptions:
    settings: GateSettings = field(default_factory=GateSettings)
    docs_dir: Path | None = DEFAULT_DOCS_DIR  # None: no Data Docs
    chunk_rows: int | None = None
    apply: bool = True  # False: a dry run, nothing moves to quarantine
    full: bool = False  # validate every landed file, not only those landed since the last passed run


@dataclass(frozen=True)
class BuildOptions:
    as_of: str | None = None
    full_refresh: bool = False
    select: str | None = None
    dbt: dbt.DbtSettings = field(default_factory=dbt.DbtSettings)

    @property
    def is_publishable(self) -> bool:
        """A build of everything as of now: what readers may be given."""
        return not (self.as_of or self.select)

    def dbt_settings(self) -> dbt.DbtSettings:
        if not self.as_of:
            return self.dbt
        return dbt.DbtSettings(**{**self.dbt.__dict__, "as_of": self.as_of})


# ---------------------------------------------------------------------------------------------
# land


def land(
    warehouse: Warehouse,
    paths: Sequence[str | Path],
    source: str | None = None,
    instance: str | None = None,
    progress: Callable[[int, int, FileResult], None] | None = None,
    on_wait: Say | None = None,
    drop_people: bool = False,
    workers: int | None = None,
) -> list[FileResult]:
    """Land files and folders of exports (:mod:`flowmart.landing`) under the writer lock (``on_wait`` hears a
    line when another process holds it)."""
    with warehouse.writing(on_wait=on_wait), warehouse.connect() as con:
        return land_files(
            con,
            paths,
            source=source,
            instance=instance,
            progress=progress,
            drop_people=drop_people,
            workers=workers,
        )


@dataclass(frozen=True)
class PullOptions:
    """One `flowmart pull`: a tracker (``jira`` | ``github``) and what to pull from it."""

    tracker: str
    target: str  # the Jira site URL, or the GitHub OWNER/NAME
    jql: str | None = None
    api_url: str | None = None  # GitHub Enterprise: https://host/api/v3
    deployment: str | None = None  # jira: cloud | datacenter (default: ask serverInfo)
    out: str | Path | None = None  # the landing folder (default: settings.landing_dir())
    full: bool = False  # ignore the cursor
    land: bool = True


@dataclass
class PullOutcome:
    folder: Path
    pages: int
    items: int
    since: str | None  # where the incremental pull started (UTC), None for a full pull
    landed: list[FileResult] = field(default_factory=list)


def pull(warehouse: Warehouse, options: PullOptions, say: Say = print) -> PullOutcome:
    """Fetch a tracker's API pages into an export folder (:mod:`flowmart.pull`), land them, and only then
    move the warehouse's cursor (raw.sync_state) to the newest `updated` landed."""
    from datetime import UTC, datetime
    from urllib.parse import urlsplit

    from flowmart import pull as pulling

    started = datetime.now(UTC)
    if options.tracker == "jira":
        from flowmart.pull import jira as client

        instance = urlsplit(options.target).hostname or options.target
        query = options.jql or client.DEFAULT_JQL
    elif options.tracker == "github":
        from flowmart.pull import github as client

        instance, query = options.target, options.target
    else:
        raise StepFailed(f"pull: no client for {options.tracker} (jira, github)")
    cursor = pulling.read_cursor(warehouse, options.tracker, instance, query)
    start = pulling.since(cursor, client.OVERLAP, options.full)
    export = pulling.Export(pulling.export_folder(options.out, options.tracker, instance, started))
    try:
        if options.tracker == "jira":
            fetched, _site = client.pull(options.target, options.jql, start, export, options.deployment, say)
        else:
            fetched = client.pull(options.target, options.api_url, start, export, say)
    except pulling.PullError as exc:
        raise StepFailed(f"pull: {exc}") from None
    outcome = PullOutcome(export.folder, fetched.pages, export.items, start.isoformat() if start else None)
    say(f"pull: {fetched.pages} page(s), {export.items} item(s) written to {export.folder}")
    if not options.land:
        say("pull: not landed (--no-land): the cursor stays where it was")
        return outcome
    outcome.landed = land(warehouse, [export.folder], source=options.tracker, on_wait=say)
    refused = [r for r in outcome.landed if r.status == "refused"]
    if refused:
        raise StepFailed(f"pull: {refused[0].line()} (and {len(refused) - 1} more); the cursor stays where it was")
    pulling.write_state(warehouse, options.tracker, instance, query, fetched.cursor, export, fetched.pages)
    return outcome


def forget_people(warehouse: Warehouse) -> dict[str, int]:
    """Pseudonymise the people in everything already landed (raw tables and raw.quarantine), in one
    transaction (:mod:`flowmart.people`); returns rows touched per table."""
    from flowmart import people

    if not warehouse.exists():
        raise StepFailed(f"{warehouse}: no such warehouse file")
    with warehouse.writing(), disk_full_is_one_line(warehouse, "no row was changed"), warehouse.connect() as con:
        ensure_raw_schema(con)
        key = people.people_key(warehouse.path)
        con.execute("begin transaction")
        try:
            touched = people.pseudonymise(con, key)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return touched


# ---------------------------------------------------------------------------------------------
# gate


def set_aside(warehouse: Warehouse, files: Sequence[str]) -> dict[str, int]:
    """Move every raw row of these landed files to raw.quarantine (a file failing a critical check is set
    aside whole); returns rows moved per raw table."""
    from flowmart.gate.store import quarantine_files

    with warehouse.writing(), warehouse.connect() as con:
        return quarantine_files(con, list(files))


def gate(warehouse: Warehouse, options: GateOptions | None = None, progress: Say | None = None):
    """Run the input quality gate (:mod:`flowmart.gate`). Returns the GateReport; :func:`require_passed`
    turns a failed one into :class:`GateFailed`."""
    from flowmart.gate.run import run_gate
    from flowmart.gate.validation import DEFAULT_CHUNK_ROWS

    options = options or GateOptions()
    with warehouse.writing(), disk_full_is_one_line(warehouse, "the gate recorded nothing and moved nothing"):
        with warehouse.connect() as con:
            return run_gate(
                con,
                settings=options.settings,
                chunk_rows=options.chunk_rows or DEFAULT_CHUNK_ROWS,
                apply=options.apply,
                docs_dir=Path(options.docs_dir).resolve() if options.docs_dir else None,
                progress=progress,
                full=options.full,
            )


@contextmanager
def disk_full_is_one_line(warehouse: Warehouse, outcome: str) -> Iterator[None]:
    """Turn DuckDB's or the OS's disk-full error inside the block into :class:`DiskFull` with one line:
    where, and what was (not) written (``outcome``); DuckDB rolls the open transaction back."""
    import duckdb

    try:
        yield
    except (duckdb.Error, OSError) as exc:
        if not is_disk_full(exc):
            raise
        raise DiskFull(
            f"{warehouse}: the disk is full ({disk_full_reason(exc)}): {outcome}; what was there before is kept"
        ) from None


def require_passed(report) -> None:
    if report.failed:
        raise GateFailed(
            f"quality gate failed ({len(report.failures(CRITICAL))} critical check(s), listed above): dbt did not "
            "run and the marts keep their previous content; fix or set aside the file(s) "
            "(flowmart check --quarantine-file PATH), then build again"
        )


def last_gate_run(warehouse: Warehouse) -> tuple[str, bool] | None:
    """(run id, passed) of the newest gate run recorded in the warehouse, or None."""
    with warehouse.connect(read_only=True) as con:
        row = con.execute(
            """
            select run_id, bool_and(success or severity <> 'critical')
            from raw.validation_results
            where run_at = (select max(run_at) from raw.validation_results)
            group by run_id
            """
        ).fetchone()
    return (row[0], bool(row[1])) if row else None


# ---------------------------------------------------------------------------------------------
# build


@dataclass
class BuildRun:
    build_id: str
    command: list[str]
    failed: bool = False

    def fail(self) -> None:
        self.failed = True


@contextmanager
def recorded_build(
    warehouse: Warehouse, options: BuildOptions, gate_run_id: str | None, say: Say = print
) -> Iterator[BuildRun]:
    """Record a dbt build in raw.build_log around the block that runs it: yields the dbt command
    (``dbt.build_command``). The build is complete when the block ends without an exception or ``fail()``."""
    command = dbt.build_command(warehouse, options.full_refresh, options.select, say)
    run = BuildRun(str(uuid.uuid4()), command)
    with warehouse.connect() as con:
        ensure_raw_schema(con)
        con.execute(
            "insert into raw.build_log values (?, now()::timestamptz, null, 'running', ?, ?, ?, ?)",
            [run.build_id, gate_run_id, options.as_of, options.select, "--full-refresh" in command],
        )
    status = "failed"
    try:
        yield run
        status = "failed" if run.failed else "complete"
    finally:
        with warehouse.connect() as con:
            con.execute(
                "update raw.build_log set status = ?, finished_at = now()::timestamptz where build_id = ?",
                [status, run.build_id],
            )


def build(warehouse: Warehouse, options: BuildOptions, gate_run_id: str | None, say: Say = print) -> None:
    """``dbt build`` (models, seeds, data tests) against the warehouse, recorded in raw.build_log."""
    warehouse.ensure_raw_schema()
    with recorded_build(warehouse, options, gate_run_id, say) as run:
        try:
            dbt.run_dbt(warehouse, run.command, options.dbt_settings())
        except dbt.DbtFailed as exc:
            raise StepFailed(str(exc)) from None


def publishable(warehouse: Warehouse) -> str | None:
    """Why the warehouse's marts may not be published now (one line), or None when they may: the newest
    recorded build must have completed and built every model (a build as of a past moment is whole too:
    `flowmart build --as-of` does not publish it by itself, `flowmart publish` and the demo may)."""
    with warehouse.connect(read_only=True) as con:
        has_log = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'build_log'"
        ).fetchone()[0]
        if not has_log:
            return None  # built by an older Flowmart, before builds were recorded
        row = con.execute(
            "select status, as_of, selection, started_at from raw.build_log order by started_at desc limit 1"
        ).fetchone()
    if row is None:
        return None
    status, _as_of, selection, started_at = row
    when = f"{started_at:%Y-%m-%d %H:%M:%S} UTC"
    if status == "running":
        return f"{warehouse}: the build started at {when} has not completed (still running, or killed); build again"
    if status == "failed":
        return f"{warehouse}: the last build (started at {when}) failed; fix it and build again"
    if selection:
        return f"{warehouse}: the last build built only --select {selection}; run a whole `flowmart build` first"
    return None


# ---------------------------------------------------------------------------------------------
# publish


def emptied(warehouse: Warehouse, out: str | Path | None = None) -> str | None:
    """Why publishing would empty the readers' marts (one line), or None: the build holds no work items
    while the current published version holds some."""
    from flowmart.publishing import CURRENT, MANIFEST, published_dir_for

    with warehouse.connect(read_only=True) as con:
        built = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'fct_work_items'"
        ).fetchone()[0]
        items = con.execute("select count(*) from marts.fct_work_items").fetchone()[0] if built else 0
    if items:
        return None
    manifest = published_dir_for(warehouse.path, out) / CURRENT / MANIFEST
    try:
        published = json.loads(manifest.read_text())["tables"]["fct_work_items"]["rows"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not published:
        return None
    return (
        f"{warehouse}: the build has no work items, the published version has {published:,}: publishing it would "
        "empty the readers' marts (publish with --allow-empty if that is meant)"
    )


def publish(warehouse: Warehouse, out: str | Path | None = None, allow_empty: bool = False, **kwargs):
    """Publish the marts (:mod:`flowmart.publishing`) when :func:`publishable` allows it, and, unless
    ``allow_empty``, not a build without work items over a published version with some."""
    from flowmart.publishing import PublishError
    from flowmart.publishing import publish as write_version

    if not warehouse.exists():
        raise StepFailed(f"{warehouse}: no such warehouse file (run `flowmart build` first)")
    reason = publishable(warehouse) or (None if allow_empty else emptied(warehouse, out))
    if reason:
        raise StepFailed(f"{reason}; readers keep the current published version")
    try:
        return write_version(warehouse.path, out, **kwargs)
    except PublishError as exc:
        raise StepFailed(str(exc)) from None


# ---------------------------------------------------------------------------------------------
# the review


def review(warehouse: Warehouse, half, out_dir: Path, **kwargs):
    """The semiannual review of ``half`` (:func:`flowmart.report.build.make_report`) under the writer lock
    (it stores its numbers in marts.review_snapshots). A half without work raises
    :class:`flowmart.report.build.NoWorkInHalf` (the caller names the half as its user gave it)."""
    from flowmart.report.build import make_report

    if not warehouse.exists():
        raise StepFailed(
            f"{warehouse}: no such warehouse file (run `flowmart demo` or `flowmart land` and `flowmart build`)"
        )
    with warehouse.writing():
        try:
            return make_report(warehouse.path, half, Path(out_dir), **kwargs)
        except dbt.DbtFailed as exc:
            raise StepFailed(str(exc)) from None


# ---------------------------------------------------------------------------------------------
# the refresh


@dataclass
class RefreshResult:
    gate_report: object | None
    published: object | None


def refresh(
    warehouse: Warehouse,
    build_options: BuildOptions,
    gate_options: GateOptions | None = None,
    publish_after: bool = True,
    on_gate: Callable[[object], None] | None = None,
    say: Say = print,
    gate_progress: Say | None = None,
    allow_empty: bool = False,
) -> RefreshResult:
    """Gate -> dbt build -> publish, under the writer lock from the gate to the publish.

    ``gate_options`` None skips the gate. ``on_gate`` sees the gate's report before the refresh stops
    on a failed one. Publishes only a build of everything as of now (``publish_after`` and
    :attr:`BuildOptions.is_publishable`). A warehouse with nothing landed is refused (a mistyped path
    would otherwise be built empty and published) unless ``allow_empty``.
    """
    if not allow_empty and not landed_files(warehouse):
        raise StepFailed(
            f"{warehouse}: nothing has been landed in this warehouse (is --db right? run `flowmart land` first, "
            "or build with --allow-empty)"
        )
    with warehouse.writing(on_wait=say):
        report = None
        gate_run_id = None
        if gate_options is not None and warehouse.exists():
            if build_options.full_refresh:  # from scratch: every landed file is validated again too
                gate_options = replace(gate_options, full=True)
            report = gate(warehouse, gate_options, progress=gate_progress)
            if on_gate:
                on_gate(report)
            require_passed(report)
            gate_run_id = report.run_id
        pause_point("after_gate")
        build(warehouse, build_options, gate_run_id, say)
        published = None
        if publish_after and build_options.is_publishable:
            published = publish(warehouse, allow_empty=allow_empty)
        return RefreshResult(report, published)


def landed_files(warehouse: Warehouse) -> int:
    """How many files have been landed in the warehouse (0 when it does not exist)."""
    if not warehouse.exists():
        return 0
    with warehouse.connect(read_only=True) as con:
        has_log = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'landing_log'"
        ).fetchone()[0]
        if not has_log:
            return 0
        return con.execute("select count(*) from raw.landing_log where status = 'landed'").fetchone()[0]
