"""The input quality gate: Great Expectations suites on every raw table, quarantine instead of loss.

:func:`run_gate` validates what ``flowmart land`` put in the ``raw`` schema:

1. per raw table, the suite module's ``frame_sql`` is materialised once in DuckDB (set-based: parsed
   timestamps, duplicate ranks, each item's creation time, columns empty in a whole file ...);
2. the frame is read back in chunks of ``chunk_rows`` rows as pandas DataFrames and each chunk is
   validated by GX (ephemeral context, pandas data source, whole-dataframe batch definition);
   the chunk results are merged into one validation result per suite;
3. the file-level suite (``raw__landing_log``) checks every landed file: refused at landing, rows
   reconcile (raw + quarantine = rows landed), not every row failing, not empty;
4. severities decide: any failed *critical* expectation fails the gate and nothing is moved; else the
   rows failing *quarantine* expectations move from their raw table to ``raw.quarantine`` (one
   transaction, together with the results); *warnings* are reported only;
5. every expectation's outcome is kept in ``raw.validation_results``; GX Data Docs go to ``docs_dir``.

Pure of any CLI concern: it takes a DuckDB connection and returns a :class:`GateReport`.
"""

from __future__ import annotations

import importlib
import json
import logging
import time
import uuid
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd

from expectations.shared import CRITICAL, QUARANTINE, WARNING, GateSettings, Mappings
from orchestration.config import PROJECT_DIR
from orchestration.ingest.schema import ensure_raw_schema
from orchestration.quality.store import move_to_quarantine

ROW_SUITES = (
    "expectations.jira__issues",
    "expectations.jira__changelog_items",
    "expectations.jira__statuses",
    "expectations.csv__work_items",
    "expectations.csv__status_changes",
    # GitHub, GitLab, Azure Boards, Linear: one suite per raw table of orchestration.ingest.trackers
    "expectations.github__issues",
    "expectations.github__issue_events",
    "expectations.gitlab__issues",
    "expectations.gitlab__resource_state_events",
    "expectations.gitlab__resource_label_events",
    "expectations.azure__work_items",
    "expectations.azure__work_item_updates",
    "expectations.linear__issues",
)
FILE_SUITE = "expectations.raw__landing_log"
DEFAULT_CHUNK_ROWS = 1_000_000
EXAMPLES = 3
CATEGORICAL_MIN_ROWS = 100_000  # frames this big hand text columns with few values to pandas as categoricals
CATEGORICAL_MAX_VALUES = 1_000
EXAMPLE_CHARS = 120  # longer example values are cut (a 1 MB field must not land in the results)


# ---------------------------------------------------------------------------------------------
# results


@dataclass
class CheckOutcome:
    """One expectation of one suite, merged over every chunk of its frame."""

    suite: str
    table: str
    check: str
    ordinal: int
    expectation_type: str
    column: str | None
    severity: str
    message: str
    config: object = None  # the GX ExpectationConfiguration (for Data Docs)
    success: bool = True
    element_count: int = 0
    unexpected_count: int = 0
    missing_count: int = 0
    partial_unexpected: list = field(default_factory=list)
    refs: list[int] = field(default_factory=list)  # _row_ref of failing rows: all for quarantine, a few otherwise
    examples: list[dict] = field(default_factory=list)
    file_counts: dict[str, int] = field(default_factory=dict)  # failing rows per file (critical, quarantine)
    error: str | None = None

    @property
    def name(self) -> str:
        return f"{self.suite}.{self.check}"

    @property
    def files(self) -> list[str]:
        return list(self.file_counts) or sorted({e["file"] for e in self.examples if e.get("file")})

    def line(self) -> str:
        """One line: which expectation, how many rows, which file(s), the sentence, examples."""
        if self.error:
            return f"{self.severity}: {self.name}: could not be evaluated: {self.error}"
        unit = "file" if self.table == "landing_log" else "row"
        count = f"{self.unexpected_count:,} {unit}{'' if self.unexpected_count == 1 else 's'}"
        where = ""
        if self.file_counts and unit == "row":
            shown = [f"{f} ({n:,})" for f, n in list(self.file_counts.items())[:3]]
            more = len(self.file_counts) - len(shown)
            where = " in " + ", ".join(shown) + (f" and {more:,} more file(s)" if more else "")
        elif self.files and unit == "row":
            where = ", e.g. in " + ", ".join(self.files[:2])
        shown_examples = "; ".join(_example_text(e) for e in self.examples[:EXAMPLES])
        return f"{self.severity}: {self.name}: {count}{where}: {self.message}" + (
            f" (e.g. {shown_examples})" if shown_examples else ""
        )


def _example_text(example: dict) -> str:
    values = ", ".join(f"{k}={_short(v)}" for k, v in example.items() if k not in ("file", "position"))
    file = str(example.get("file") or "")
    where = f"row {example['position']} of {Path(file).name}" if example.get("position") else file
    return f"{where}: {values}" if values else where


def _short(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


@dataclass
class GateReport:
    run_id: str
    run_at: datetime
    outcomes: list[CheckOutcome]
    rows_checked: dict[str, int]
    quarantined: dict[str, int]
    applied: bool
    seconds: float = 0.0
    data_docs: Path | None = None

    @property
    def failed(self) -> bool:
        return any(o.severity == CRITICAL and not o.success for o in self.outcomes)

    def failures(self, severity: str) -> list[CheckOutcome]:
        return [o for o in self.outcomes if o.severity == severity and not o.success]

    @property
    def rows_quarantined(self) -> int:
        return sum(self.quarantined.values())

    def summary(self) -> str:
        checked = sum(n for t, n in self.rows_checked.items() if t != "landing_log")
        if self.failed:
            head = f"gate FAILED: {len(self.failures(CRITICAL))} critical check(s) failed, nothing was moved"
        else:
            head = f"gate passed: {self.rows_quarantined:,} row(s) moved to raw.quarantine"
        return (
            f"{head}; {len(self.failures(WARNING))} warning(s); {checked:,} raw rows and "
            f"{self.rows_checked.get('landing_log', 0):,} files checked by {len(self.outcomes)} expectations "
            f"in {self.seconds:,.1f} s (run {self.run_id})"
        )


# ---------------------------------------------------------------------------------------------
# mappings


def load_mappings(con: duckdb.DuckDBPyConnection, seeds_dir: Path) -> Mappings:
    """Value sets from seeds/status_mappings.csv, seeds/flow_item_types.csv and seeds/label_states.csv,
    read as text, plus the sources seen in raw (a ``*`` seed row covers every source)."""

    def read(name: str, columns: tuple[str, ...]) -> list[tuple]:
        path = seeds_dir / f"{name}.csv"
        if not path.exists():
            return []
        cols = ", ".join(f"lower(trim(coalesce({c}, '')))" for c in columns)
        return con.execute(f"select {cols} from read_csv(?, header = true, all_varchar = true)", [str(path)]).fetchall()

    statuses = read("status_mappings", ("source", "status"))
    types = read("flow_item_types", ("source", "tracker_item_type"))
    seed_sources = {s for s, _ in statuses + types if s and s != "*"}
    from orchestration.ingest.landing import SOURCES  # every tracker `flowmart land` understands

    known = seed_sources | set(SOURCES)
    observed = {
        row[0]
        for table in ("csv_work_items", "csv_status_changes")
        for row in con.execute(f"select distinct lower(trim(source)) from raw.{table} where source is not null").fetchall()
    }
    every = known | observed

    def keys(rows: list[tuple]) -> frozenset[str]:
        out = set()
        for source, value in rows:
            for s in every if source == "*" else [source]:
                out.add(f"{s}|{value}")
        return frozenset(out) or frozenset({"(none)"})

    from expectations.shared import label_scope

    labels = read("label_states", ("source", "label"))
    return Mappings(
        status_keys=keys(statuses), type_keys=keys(types), known_sources=frozenset(known),
        label_keys=keys(labels),
        label_scopes=keys([(source, label_scope(label)) for source, label in labels if label_scope(label)]),
    )


# ---------------------------------------------------------------------------------------------
# Great Expectations


def _quiet_gx() -> None:
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _gx_context():
    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every pandas batch under 1 GB (an md5 of pandas' row hashes) only to label it; the
    # gate names its chunks itself, and hashing the string columns took a third of the gate at 1M items.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("flowmart_raw").add_dataframe_asset("raw_frames")
    return context, asset.add_batch_definition_whole_dataframe("chunk")


def _frame_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    """GX compares timestamps vectorised only for datetime64[ns]; DuckDB hands out microseconds."""
    for column in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[column].dtype):
            df[column] = df[column].astype("datetime64[ns]")
    return df


def _domain_column(config) -> str | None:
    kwargs = config.kwargs
    return kwargs.get("column") or (
        f"{kwargs['column_A']},{kwargs['column_B']}" if "column_A" in kwargs else None
    )


def _validate_frame(
    con: duckdb.DuckDBPyConnection, batch_definition, suite, table: str, frame: str, rows: int, chunk_rows: int
) -> list[CheckOutcome]:
    """Validate ``frame`` chunk by chunk; merge the chunk results into one outcome per expectation."""
    import great_expectations as gx

    outcomes: list[CheckOutcome] = []
    by_severity: dict[str, list] = {}
    for ordinal, expectation in enumerate(suite.expectations):
        meta = expectation.meta or {}
        config = expectation.configuration
        outcomes.append(CheckOutcome(
            suite=suite.name, table=table, check=meta["check"], ordinal=ordinal,
            expectation_type=config.type, column=_domain_column(config), severity=meta["flowmart_severity"],
            message=meta["message"], config=config,
        ))
        by_severity.setdefault(meta["flowmart_severity"], []).append(expectation)
    by_check = {o.check: o for o in outcomes}

    # quarantine expectations need every failing row (COMPLETE); the others a count and a few examples
    parts = []
    for severity, expectations in by_severity.items():
        part = gx.ExpectationSuite(name=f"{suite.name}.{severity}")
        for expectation in expectations:
            copied = expectation.copy(deep=True)
            copied.id = None
            part.add_expectation(copied)
        # critical failures need every failing row too, to name every file concerned
        result_format = "SUMMARY" if severity == WARNING else "COMPLETE"
        parts.append((part, {
            "result_format": result_format,
            "unexpected_index_column_names": ["_row_ref"],
            "partial_unexpected_count": 20,
            "return_unexpected_index_query": False,
        }))

    def fetch(start: int) -> pd.DataFrame:
        return _frame_dtypes(con.execute(
            f"select * exclude (_file_hash) from {frame} where _row_ref >= ? and _row_ref < ?",
            [start, start + chunk_rows],
        ).df())

    # the next chunk is read from DuckDB (which releases the GIL) while GX validates this one; only the
    # reader thread touches the connection meanwhile
    starts = list(range(0, max(rows, 0), chunk_rows))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gate-reader") as reader:
        upcoming = reader.submit(fetch, starts[0]) if starts else None
        for index, _start in enumerate(starts):
            df = upcoming.result()
            upcoming = reader.submit(fetch, starts[index + 1]) if index + 1 < len(starts) else None
            batch = batch_definition.get_batch(batch_parameters={"dataframe": df})
            for part, result_format in parts:
                result = batch.validate(part, result_format=result_format)
                for r in result.results:
                    outcome = by_check[r.expectation_config.meta["check"]]
                    _merge(outcome, r)
            del df, batch
    return outcomes


def _merge(outcome: CheckOutcome, r) -> None:
    info = r.exception_info or {}
    raised = info.get("raised_exception") or any(
        isinstance(v, dict) and v.get("raised_exception") for v in info.values()
    )
    if raised:
        message = info.get("exception_message") or next(
            (v.get("exception_message") for v in info.values() if isinstance(v, dict) and v.get("exception_message")),
            "unknown error",
        )
        outcome.success = False
        outcome.error = str(message).splitlines()[0][:300]
        outcome.severity = CRITICAL  # fail closed: a check that cannot run must not let data through
        return
    res = r.result or {}
    outcome.success = outcome.success and bool(r.success)
    outcome.element_count += int(res.get("element_count") or 0)
    outcome.unexpected_count += int(res.get("unexpected_count") or 0)
    outcome.missing_count += int(res.get("missing_count") or 0)
    if len(outcome.partial_unexpected) < 20:
        outcome.partial_unexpected += list(res.get("partial_unexpected_list") or [])[: 20 - len(outcome.partial_unexpected)]
    if outcome.severity != WARNING:
        index = res.get("unexpected_index_list") or []
    else:
        index = (res.get("partial_unexpected_index_list") or [])[: max(0, EXAMPLES - len(outcome.refs))]
    outcome.refs += [int(i["_row_ref"]) for i in index]


# ---------------------------------------------------------------------------------------------
# examples


def _attach_examples(con: duckdb.DuckDBPyConnection, outcome: CheckOutcome, frame: str, raw_columns: set[str]) -> None:
    """Examples (file, position, the values concerned) and, for critical and quarantine checks, the
    failing rows per file — all looked up by the _row_ref values GX reported."""
    if outcome.success or not outcome.refs or outcome.error:
        return
    columns: list[str] = []
    for c in (outcome.column or "").split(","):
        if not c:
            continue
        base = c[: -len("_utc")] if c.endswith("_utc") else c
        if base != c and base in raw_columns:
            columns.append(base)
        columns.append(c)
    columns = list(dict.fromkeys(columns))
    file_expr = "f.file_path" if "file_path" in raw_columns else "landed.file_path"
    join = "" if "file_path" in raw_columns else (
        "left join (select distinct file_hash, file_path from raw.landing_log where status = 'landed') as landed "
        "on landed.file_hash = f._file_hash"
    )
    con.register("_gate_refs", pd.DataFrame({"row_ref": pd.Series(outcome.refs, dtype="int64")}))
    try:
        failing = f"""
            select {file_expr} as file, f._row_ref, f._record_position{''.join(f', f."{c}"' for c in columns)},
                row_number() over (partition by {file_expr} order by f._row_ref) as nth_in_file
            from {frame} as f
            inner join _gate_refs as r on r.row_ref = f._row_ref
            {join}
        """
        if outcome.severity != WARNING:
            outcome.file_counts = dict(con.execute(
                f"select file, count(*) from ({failing}) group by file order by count(*) desc, file"
            ).fetchall())
        # one example per file first, then more from the first files
        rows = con.execute(
            f"select * exclude (_row_ref, nth_in_file) from ({failing}) order by nth_in_file, file limit {EXAMPLES}"
        ).fetchall()
    finally:
        con.unregister("_gate_refs")
    names = ["file", "position", *columns]
    for row in rows:
        outcome.examples.append({name: _example_value(value) for name, value in zip(names, row, strict=True)})


def _example_value(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, str) and len(value) > EXAMPLE_CHARS:
        return value[:EXAMPLE_CHARS] + f"... ({len(value):,} characters)"
    return value


# ---------------------------------------------------------------------------------------------
# the gate


def _create_frame(con: duckdb.DuckDBPyConnection, frame: str, frame_sql: str) -> int:
    """The frame's rows as temp table ``<frame>_rows`` and view ``<frame>`` adding ``_row_ref``, the row's
    rowid (0, 1, ...): stable while the gate runs, and free - a ``row_number() over ()`` is one
    single-threaded pass carrying every column (19 s of a 40 s frame at 12M changelog items).

    In big frames, text columns with few distinct values (site, field, origin, status keys) are handed to
    pandas as categoricals (an inline ENUM cast in the view): reading 12M changelog rows as pandas strings
    took longer than validating them, and GX's null, set and row-condition checks read categoricals as
    they read strings. Returns the number of rows."""
    con.execute(f"create or replace temp table {frame}_rows as {frame_sql}")
    replaced: list[str] = []
    rows = con.execute(f"select count(*) from {frame}_rows").fetchone()[0]
    if rows >= CATEGORICAL_MIN_ROWS:
        texts = [name for name, kind, *_ in con.execute(f"describe {frame}_rows").fetchall()
                 if kind == "VARCHAR" and name != "_file_hash"]
        if texts:
            estimates = con.execute(
                "select " + ", ".join(f'approx_count_distinct("{c}")' for c in texts) + f" from {frame}_rows"
            ).fetchone()
            for column, estimate in zip(texts, estimates, strict=True):
                if estimate > 2 * CATEGORICAL_MAX_VALUES:
                    continue
                values = [v for (v,) in con.execute(
                    f'select distinct "{column}" from {frame}_rows where "{column}" is not null order by 1 '
                    f"limit {CATEGORICAL_MAX_VALUES + 1}"
                ).fetchall()]
                if 0 < len(values) <= CATEGORICAL_MAX_VALUES:
                    literals = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
                    replaced.append(f'"{column}"::enum({literals}) as "{column}"')
    replace = f" replace ({', '.join(replaced)})" if replaced else ""
    con.execute(f"create or replace temp view {frame} as select rowid as _row_ref, *{replace} from {frame}_rows")
    return rows


def _suite_module(name: str) -> ModuleType:
    return importlib.import_module(name)


def quarantine_files(con: duckdb.DuckDBPyConnection, paths: list[str], run_id: str | None = None) -> dict[str, int]:
    """Move every raw row of the landed files ``paths`` to raw.quarantine (``flowmart check --quarantine-file``):
    the way to set aside a landed file that fails a critical check. Returns rows moved per table."""
    ensure_raw_schema(con)  # also raw.quarantine and raw.validation_results
    run_id = run_id or str(uuid.uuid4())
    moved: dict[str, int] = {}
    resolved = [str(Path(p).expanduser().resolve()) for p in paths]
    con.execute("begin transaction")
    try:
        for module_name in ROW_SUITES:
            table = _suite_module(module_name).TABLE
            con.execute(
                f"""
                create or replace temp table _gate_manual as
                select
                    _file_hash as file_hash,
                    _record_position as record_position,
                    'manual.quarantine_file' as expectation,
                    ['manual.quarantine_file'] as failed_expectations,
                    'set aside by hand (flowmart check --quarantine-file)' as message
                from raw.{table}
                where _source_file in (select unnest(?::varchar[]))
                """,
                [resolved],
            )
            n = move_to_quarantine(con, table, "_gate_manual", run_id, severity="manual")
            if n:
                moved[table] = n
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute("drop table if exists _gate_manual")
    return moved


def run_gate(
    con: duckdb.DuckDBPyConnection,
    settings: GateSettings | None = None,
    seeds_dir: Path | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    apply: bool = True,
    docs_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> GateReport:
    """Validate every raw table; quarantine row-level failures unless a critical check failed.

    ``apply=False`` validates and records results without moving anything (a dry run).

    While it runs, DuckDB's memory is capped like dbt's (``FLOWMART_MEMORY_LIMIT``, default 3GB): the
    frames are temp tables of every raw row, and DuckDB spills them to disk instead of holding 12M
    changelog rows in memory next to the pandas chunks (the gate peaked at 6 GB at 1M items without it).
    """
    previous = con.execute("select current_setting('memory_limit')").fetchone()[0]
    con.execute(f"set memory_limit = '{_memory_limit()}'")
    try:
        return _run_gate(con, settings, seeds_dir, chunk_rows, apply, docs_dir, progress)
    finally:
        con.execute(f"set memory_limit = '{previous}'")


def _memory_limit() -> str:
    import os
    import re

    limit = os.environ.get("FLOWMART_MEMORY_LIMIT", "3GB").strip()
    return limit if re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, re.IGNORECASE) else "3GB"


def _run_gate(
    con: duckdb.DuckDBPyConnection,
    settings: GateSettings | None,
    seeds_dir: Path | None,
    chunk_rows: int,
    apply: bool,
    docs_dir: Path | None,
    progress: Callable[[str], None] | None,
) -> GateReport:
    started = time.perf_counter()
    settings = settings or GateSettings()
    seeds_dir = seeds_dir or PROJECT_DIR / "seeds"
    say = progress or (lambda _text: None)
    run_id = str(uuid.uuid4())
    run_at = datetime.now(timezone.utc)
    ensure_raw_schema(con)  # also raw.quarantine and raw.validation_results
    mappings = load_mappings(con, seeds_dir)
    context, batch_definition = _gx_context()

    outcomes: list[CheckOutcome] = []
    rows_checked: dict[str, int] = {}
    suites = {}
    frames: dict[str, str] = {}
    con.execute(
        "create or replace temp table _gate_q (source_table varchar, row_ref bigint, ordinal integer, "
        "expectation varchar, message varchar)"
    )
    for module_name in ROW_SUITES:
        module = _suite_module(module_name)
        table, frame = module.TABLE, f"_gate_frame_{module.TABLE}"
        say(f"{module.SUITE_NAME}: preparing the frame")
        rows = _create_frame(con, frame, module.frame_sql(settings))
        rows_checked[table] = rows
        suite = context.suites.add(module.build_suite(mappings, settings))
        suites[module.SUITE_NAME] = suite
        frames[table] = frame
        say(f"{module.SUITE_NAME}: validating {rows:,} rows")
        table_outcomes = _validate_frame(con, batch_definition, suite, table, frame, rows, chunk_rows)
        raw_columns = {r[0] for r in con.execute(f"describe {frame}").fetchall()}
        for outcome in table_outcomes:
            _attach_examples(con, outcome, frame, raw_columns)
            if outcome.severity == QUARANTINE and outcome.refs:
                refs = pd.DataFrame({"row_ref": pd.Series(outcome.refs, dtype="int64")})
                con.register("_gate_refs", refs)
                con.execute(
                    "insert into _gate_q select ?, row_ref, ?, ?, ? from _gate_refs",
                    [table, outcome.ordinal, outcome.name, outcome.message],
                )
                con.unregister("_gate_refs")
        outcomes += table_outcomes

    # the rows to quarantine, one per raw row with every check it failed
    per_table = [
        f"""
        select
            '{table}' as source_table,
            f._file_hash as file_hash,
            f._record_position as record_position,
            first(q.expectation order by q.ordinal) as expectation,
            list(q.expectation order by q.ordinal) as failed_expectations,
            first(q.message order by q.ordinal) as message
        from _gate_q as q
        inner join {frame} as f
            on q.row_ref = f._row_ref
        where q.source_table = '{table}'
        group by all
        """
        for table, frame in frames.items()
    ]
    con.execute("create or replace temp table _gate_q_rows as " + " union all ".join(per_table))
    con.execute(
        "create or replace temp table _gate_to_quarantine as "
        "select source_table, file_hash, count(*) as rows from _gate_q_rows group by all"
    )

    # file level
    file_module = _suite_module(FILE_SUITE)
    file_frame = "_gate_frame_landing_log"
    files = _create_frame(con, file_frame, file_module.frame_sql(settings))
    # a refused file that is no longer where it was (moved away, deleted) no longer blocks
    gone = [
        path for (path,) in con.execute(
            f"select file_path from {file_frame} where refusal_reason is not null"
        ).fetchall() if not Path(path).exists()
    ]
    if gone:
        con.execute(
            f"update {file_frame}_rows set refusal_reason = null where file_path in (select unnest(?::varchar[]))", [gone]
        )
    rows_checked["landing_log"] = files
    file_suite = context.suites.add(file_module.build_suite(mappings, settings))
    suites[file_module.SUITE_NAME] = file_suite
    say(f"{file_module.SUITE_NAME}: validating {files:,} files")
    file_outcomes = _validate_frame(con, batch_definition, file_suite, "landing_log", file_frame, files, chunk_rows)
    raw_columns = {r[0] for r in con.execute(f"describe {file_frame}").fetchall()}
    for outcome in file_outcomes:
        _attach_examples(con, outcome, file_frame, raw_columns)
    outcomes += file_outcomes

    report = GateReport(run_id, run_at, outcomes, rows_checked, {}, applied=False)
    apply_now = apply and not report.failed
    con.execute("begin transaction")
    try:
        if apply_now:
            for table in frames:
                selection = f"(select * from _gate_q_rows where source_table = '{table}')"
                moved = move_to_quarantine(con, table, selection, run_id)
                if moved:
                    report.quarantined[table] = moved
        report.applied = apply_now
        _record_results(con, report)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        for frame in [*frames.values(), file_frame]:
            con.execute(f"drop view if exists {frame}")
            con.execute(f"drop table if exists {frame}_rows")
        for table in ["_gate_q", "_gate_q_rows", "_gate_to_quarantine"]:
            con.execute(f"drop table if exists {table}")

    if docs_dir is not None:
        say("writing Data Docs")
        report.data_docs = build_data_docs(context, suites, report, Path(docs_dir))
    report.seconds = time.perf_counter() - started
    return report


def _record_results(con: duckdb.DuckDBPyConnection, report: GateReport) -> None:
    rows = [
        (
            report.run_id, report.run_at, o.suite, o.table, o.name, o.expectation_type, o.column, o.severity,
            o.success, o.element_count, o.unexpected_count,
            (100.0 * o.unexpected_count / o.element_count) if o.element_count else None,
            o.message if not o.error else f"{o.message} (could not be evaluated: {o.error})",
            json.dumps(o.examples, default=str) if o.examples else None,
            report.applied,
        )
        for o in report.outcomes
    ]
    if rows:
        con.executemany(
            "insert into raw.validation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )


# ---------------------------------------------------------------------------------------------
# Data Docs


def build_data_docs(context, suites: dict, report: GateReport, docs_dir: Path) -> Path:
    """One validation result per suite (chunk results merged) rendered as a GX Data Docs site."""
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    docs_dir.mkdir(parents=True, exist_ok=True)
    run = RunIdentifier(run_name=f"gate-{report.run_id[:8]}", run_time=report.run_at)
    for suite_name in suites:
        results = []
        mine = [o for o in report.outcomes if o.suite == suite_name]
        for o in mine:
            result = {
                "element_count": o.element_count,
                "unexpected_count": o.unexpected_count,
                "unexpected_percent": (100.0 * o.unexpected_count / o.element_count) if o.element_count else 0.0,
                "partial_unexpected_list": o.partial_unexpected,
                "missing_count": o.missing_count,
            }
            results.append(ExpectationValidationResult(
                success=o.success, expectation_config=o.config, result=result,
                exception_info={"raised_exception": bool(o.error), "exception_message": o.error,
                                "exception_traceback": None},
            ))
        successful = sum(1 for o in mine if o.success)
        table = mine[0].table if mine else suite_name
        validation = ExpectationSuiteValidationResult(
            success=all(o.success for o in mine),
            results=results,
            suite_name=suite_name,
            statistics={
                "evaluated_expectations": len(mine),
                "successful_expectations": successful,
                "unsuccessful_expectations": len(mine) - successful,
                "success_percent": 100.0 * successful / len(mine) if mine else 100.0,
            },
            meta={"run_id": run, "active_batch_definition": {"datasource_name": "duckdb", "data_asset_name": f"raw.{table}"},
                  "flowmart_run_id": report.run_id, "applied": report.applied},
        )
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            run_id=run,
            batch_identifier=f"raw.{table}",
        )
        context.validation_results_store.set(key, validation)
    site = "flowmart"
    if site not in (context.variables.data_docs_sites or {}):
        context.add_data_docs_site(site_name=site, site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    context.build_data_docs(site_names=[site])
    return write_offline_index(report, run.run_name, suites, docs_dir)


def write_offline_index(report: GateReport, run_name: str, suites: dict, docs_dir: Path) -> Path:
    """A plain HTML page for this run that needs no network, linking GX's validation pages.

    GX's own index.html builds its tables with JavaScript loaded from public CDNs, so it shows an empty
    list on a machine without internet access; the validation pages themselves render offline.
    """
    import html

    rows = []
    for suite_name in suites:
        mine = [o for o in report.outcomes if o.suite == suite_name]
        pages = sorted((docs_dir / "validations" / suite_name / run_name).rglob("*.html"))
        link = (f'<a href="{html.escape(pages[-1].relative_to(docs_dir).as_posix())}">{html.escape(suite_name)}</a>'
                if pages else html.escape(suite_name))
        failed = [o for o in mine if not o.success]
        details = "".join(
            f"<li><b>{html.escape(o.severity)}</b> {html.escape(o.check)}: {o.unexpected_count:,} row(s) — "
            f"{html.escape(o.message)}</li>"
            for o in failed
        )
        status = "passed" if not failed else ("FAILED" if any(o.severity == CRITICAL for o in failed) else "issues")
        rows.append(
            f"<tr><td>{link}</td><td>{len(mine)}</td><td>{len(mine) - len(failed)}</td>"
            f"<td class='{status.lower()}'>{status}</td><td><ul>{details}</ul></td></tr>"
        )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Flowmart quality gate — run {html.escape(report.run_id)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; vertical-align: top; }}
.passed {{ color: #009E73; }} .failed {{ color: #D55E00; font-weight: bold; }} .issues {{ color: #E69F00; }}
ul {{ margin: 0; padding-left: 1.2rem; }}
</style></head><body>
<h1>Flowmart input quality gate</h1>
<p>Run {html.escape(report.run_id)} at {html.escape(report.run_at.isoformat())}: {html.escape(report.summary())}</p>
<p>Each suite links to its Great Expectations validation page; <a href="index.html">GX's own index</a> needs
internet access for its scripts.</p>
<table><thead><tr><th>suite</th><th>expectations</th><th>passed</th><th>status</th><th>failed checks</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
</body></html>
"""
    target = docs_dir / "gate-run.html"
    target.write_text(page, encoding="utf-8")
    return target
