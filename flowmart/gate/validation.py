"""Validating one frame with Great Expectations: DuckDB frame -> pandas chunks -> GX -> merged outcomes.

Each raw table's suite reads a *frame*: one row per raw row with what its checks read (parsed timestamps,
duplicate ranks, each item's creation time ...), computed set-based in DuckDB and read in chunks of
``chunk_rows`` as pandas DataFrames (GX 1.x cannot validate DuckDB through SQLAlchemy); each chunk is
validated by an ephemeral GX context and the chunk results merged into one
:class:`~flowmart.gate.outcomes.CheckOutcome` per expectation, with examples looked up by the failing rows'
``_row_ref``.

A declared suite's frame is *streamed* (:func:`stream_frame`): what needs other rows is computed once into
small temp tables, and the rows are a view over the raw table whose ``_row_ref`` is the raw rowid, so each
chunk is a rowid range DuckDB reads straight from the table - while GX validates the chunk before it. Other
frames are materialised whole (:func:`create_frame`).
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from expectations.shared import CRITICAL, WARNING
from flowmart.gate.outcomes import EXAMPLES, CheckOutcome

DEFAULT_CHUNK_ROWS = 1_000_000
CATEGORICAL_MIN_ROWS = 100_000  # frames this big hand text columns with few values to pandas as categoricals
CATEGORICAL_MAX_VALUES = 1_000
CATEGORICAL_SAMPLE_ROWS = 20_000
PARTIAL = 20  # failing values kept per expectation for Data Docs (and warnings' failing rows referenced)
EXAMPLE_CHARS = 120  # longer example values are cut (a 1 MB field must not land in the results)


def _quiet_gx() -> None:
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)


def gx_context():
    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every pandas batch under 1 GB (an md5 of pandas' row hashes) only to label it; the
    # gate names its chunks itself, and hashing the string columns is a large share of the gate's time.
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


def _categorical_texts(chunk: pa.Table) -> pa.Table:
    """In a big chunk, text columns with few values (site, field, origin, status keys) become dictionaries,
    which pandas reads as categoricals: GX filters whole frames row by row (row conditions, failing rows),
    and taking rows of a categorical moves small integers where Arrow strings move every string - several
    times the gate's time at a million items. GX's null, set and row-condition checks read categoricals as
    they read strings."""
    if chunk.num_rows < CATEGORICAL_MIN_ROWS:
        return chunk
    for index, column in enumerate(chunk.schema):
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        # a column with more values than that in its first rows already (ids, timestamps, keys) is left as
        # it is: encoding a million distinct strings only to find there are too many took half the chunk's time
        if pc.count_distinct(chunk.column(index).slice(0, CATEGORICAL_SAMPLE_ROWS)).as_py() > CATEGORICAL_MAX_VALUES:
            continue
        encoded = pc.dictionary_encode(chunk.column(index))
        if max((len(part.dictionary) for part in encoded.chunks), default=0) <= CATEGORICAL_MAX_VALUES:
            chunk = chunk.set_column(index, column.name, encoded)
    return chunk


def _columns_read(config, frame_columns: list[str]) -> tuple[str, ...]:
    """The frame columns an expectation reads: its domain column(s), the columns its row condition names,
    and ``_row_ref`` (the failing rows' reference); in frame order. A column named only inside a value set
    is read needlessly, never missed."""
    spelled = json.dumps(config.kwargs, default=str)
    read = {"_row_ref"} | {
        c for c in frame_columns if re.search(rf"(?<![A-Za-z0-9_]){re.escape(c)}(?![A-Za-z0-9_])", spelled)
    }
    return tuple(c for c in frame_columns if c in read)


def _domain_column(config) -> str | None:
    kwargs = config.kwargs
    return kwargs.get("column") or (f"{kwargs['column_A']},{kwargs['column_B']}" if "column_A" in kwargs else None)


def validate_frame(
    con: duckdb.DuckDBPyConnection,
    batch_definition,
    suite,
    table: str,
    frame: str,
    refs: range,
    chunk_rows: int,
) -> list[CheckOutcome]:
    """Validate ``frame`` chunk by chunk - ``chunk_rows`` consecutive ``_row_ref`` values of ``refs`` at a
    time, empty chunks skipped - and merge the chunk results into one outcome per expectation."""
    import great_expectations as gx

    outcomes: list[CheckOutcome] = []
    groups: dict[tuple[str, tuple[str, ...]], list] = {}  # by severity and the columns read
    frame_columns = [name for name, *_ in con.execute(f"describe {frame}").fetchall() if name != "_file_hash"]
    for ordinal, expectation in enumerate(suite.expectations):
        meta = expectation.meta or {}
        config = expectation.configuration
        outcomes.append(
            CheckOutcome(
                suite=suite.name,
                table=table,
                check=meta["check"],
                ordinal=ordinal,
                expectation_type=config.type,
                column=_domain_column(config),
                severity=meta["flowmart_severity"],
                message=meta["message"],
                config=config,
            )
        )
        groups.setdefault((meta["flowmart_severity"], _columns_read(config, frame_columns)), []).append(expectation)
    by_check = {o.check: o for o in outcomes}

    # quarantine expectations need every failing row (COMPLETE); the others a count and a few examples
    parts = []
    for (severity, columns), expectations in groups.items():
        part = gx.ExpectationSuite(name=f"{suite.name}.{severity}.{'.'.join(columns)}")
        for expectation in expectations:
            copied = expectation.copy(deep=True)
            copied.id = None
            part.add_expectation(copied)
        # critical failures need every failing row too, to name every file concerned
        result_format = "SUMMARY" if severity == WARNING else "COMPLETE"
        parts.append(
            (
                part,
                [c for c in columns if c != "_row_ref"],
                {
                    "result_format": result_format,
                    # the failing rows' _row_ref (the frame's index), as one list: GX then reads no value
                    # of a failing row one cell at a time (pandas .at per row: seconds at a million rows);
                    # the values shown come from DuckDB (attach_examples)
                    "unexpected_index_column_names": ["_row_ref"],
                    "exclude_unexpected_values": True,
                    "partial_unexpected_count": PARTIAL,
                    "return_unexpected_index_query": False,
                },
            )
        )

    def fetch(start: int) -> pd.DataFrame:
        # through Arrow: the same pandas frame as DuckDB's own .df() conversion (Arrow-backed strings,
        # categoricals for dictionaries), about five times faster
        chunk = con.sql(
            f"select * exclude (_file_hash) from {frame} "
            f"where _row_ref >= {int(start)} and _row_ref < {int(min(start + chunk_rows, refs.stop))}"
        ).to_arrow_table()
        df = _frame_dtypes(_categorical_texts(chunk).to_pandas())
        df.index = pd.Index(df.pop("_row_ref"), name="_row_ref")
        return df

    # the next chunk is read from DuckDB (which releases the GIL) while GX validates this one; only the
    # reader thread touches the connection meanwhile
    starts = list(range(refs.start, refs.stop, chunk_rows))
    con.complete()  # a result the caller left unread would block the reader's queries
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gate-reader") as reader:
        upcoming = reader.submit(fetch, starts[0]) if starts else None
        for index, _start in enumerate(starts):
            df = upcoming.result()
            upcoming = reader.submit(fetch, starts[index + 1]) if index + 1 < len(starts) else None
            if df.empty:  # a rowid range without rows of the frame (files out of scope, rows moved away)
                continue
            for part, columns, result_format in parts:
                # only the columns the part reads (and the index, _row_ref): GX filters its whole frame for
                # every row condition and every failing expectation's rows, so each extra column is moved
                # again each time
                batch = batch_definition.get_batch(batch_parameters={"dataframe": df[columns]})
                result = batch.validate(part, result_format=result_format)
                for r in result.results:
                    outcome = by_check[r.expectation_config.meta["check"]]
                    _merge(outcome, r)
                del batch
            del df
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
    # exclude_unexpected_values: the failing rows' references come as [{"_row_ref": [ref, ...]}]
    listed = (
        res.get("unexpected_index_list") if outcome.severity != WARNING else res.get("partial_unexpected_index_list")
    )
    refs = [int(ref) for entry in listed or [] for ref in entry.get("_row_ref", [])]
    if outcome.severity == WARNING:
        refs = refs[: max(0, PARTIAL - len(outcome.refs))]
    outcome.refs += refs


def attach_examples(con: duckdb.DuckDBPyConnection, outcome: CheckOutcome, frame: str, raw_columns: set[str]) -> None:
    """Examples (file, position, the values concerned), the first failing values (``partial_unexpected``,
    for Data Docs) and, for critical and quarantine checks, the failing rows per file — all looked up by
    the _row_ref values GX reported."""
    if outcome.success or not outcome.refs or outcome.error:
        return
    domain = [c for c in (outcome.column or "").split(",") if c]
    if domain and not outcome.partial_unexpected:
        first = sorted(outcome.refs)[:PARTIAL] if outcome.severity != WARNING else outcome.refs[:PARTIAL]
        selected = ", ".join(f'f."{c}"' for c in domain)
        values = con.execute(
            f"select {selected} from {frame} as f where f._row_ref in (select unnest(?::bigint[])) order by f._row_ref",
            [first],
        ).fetchall()
        outcome.partial_unexpected = [
            _example_value(row[0]) if len(row) == 1 else [_example_value(v) for v in row] for row in values
        ]
    columns: list[str] = []
    for c in domain:
        base = c[: -len("_utc")] if c.endswith("_utc") else c
        if base != c and base in raw_columns:
            columns.append(base)
        columns.append(c)
    columns = list(dict.fromkeys(columns))
    file_expr = "f.file_path" if "file_path" in raw_columns else "landed.file_path"
    join = (
        ""
        if "file_path" in raw_columns
        else (
            "left join (select distinct file_hash, file_path from raw.landing_log where status = 'landed') as landed "
            "on landed.file_hash = f._file_hash"
        )
    )
    # a warning's examples are its first failing rows as before; PARTIAL refs are kept for its values
    refs = outcome.refs if outcome.severity != WARNING else outcome.refs[:EXAMPLES]
    con.register("_gate_refs", pd.DataFrame({"row_ref": pd.Series(refs, dtype="int64")}))
    try:
        failing = f"""
            select {file_expr} as file, f._row_ref, f._record_position{"".join(f', f."{c}"' for c in columns)},
                row_number() over (partition by {file_expr} order by f._row_ref) as nth_in_file
            from {frame} as f
            inner join _gate_refs as r on r.row_ref = f._row_ref
            {join}
        """
        if outcome.severity != WARNING:
            outcome.file_counts = dict(
                con.execute(
                    f"select file, count(*) from ({failing}) group by file order by count(*) desc, file"
                ).fetchall()
            )
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


def stream_frame(
    con: duckdb.DuckDBPyConnection, frame: str, lookups: dict[str, str], rows_sql: str
) -> tuple[int, range]:
    """A declared suite's frame (``TableSpec.frame_parts``): each lookup computed once into temp table
    ``<frame>__<name>``, and view ``<frame>`` over the raw rows reading them by name, its ``_row_ref`` the
    raw rowid - a filter on it is a rowid range DuckDB pushes down to the table scan, so a chunk costs its
    own rows only and nothing is copied whole. Returns the number of rows and the span of their
    ``_row_ref`` values (empty when there are none)."""
    for name, sql in lookups.items():
        con.execute(f"create or replace temp table {frame}__{name} as {sql}")
    aliases = ",\n".join(f"{name} as (select * from {frame}__{name})" for name in lookups)
    with_clause = f"with {aliases}\n" if aliases else ""
    con.execute(f"create or replace temp view {frame} as {with_clause}{rows_sql}")
    rows, first, last = con.execute(f"select count(*), min(_row_ref), max(_row_ref) from {frame}").fetchone()
    return rows, range(first, last + 1) if rows else range(0)


def frame_tables(frame: str, lookups: dict[str, str]) -> list[str]:
    """The temp tables :func:`stream_frame` or :func:`create_frame` made for ``frame``."""
    return [f"{frame}_rows", *(f"{frame}__{name}" for name in lookups)]


def create_frame(con: duckdb.DuckDBPyConnection, frame: str, frame_sql: str) -> int:
    """The frame's rows as temp table ``<frame>_rows`` and view ``<frame>`` adding ``_row_ref``, the row's
    rowid (0, 1, ...): stable while the gate runs, and free - a ``row_number() over ()`` is one
    single-threaded pass carrying every column, about half the time of a big frame. Text columns with few
    values reach GX as categoricals as in a streamed frame (:func:`_categorical_texts`, per chunk).
    Returns the number of rows."""
    con.execute(f"create or replace temp table {frame}_rows as {frame_sql}")
    con.execute(f"create or replace temp view {frame} as select rowid as _row_ref, * from {frame}_rows")
    return con.execute(f"select count(*) from {frame}_rows").fetchone()[0]
