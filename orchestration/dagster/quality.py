"""The input quality gate (issue 5) as blocking asset checks on the raw tables.

One op runs :func:`orchestration.quality.run_gate` once over the warehouse (every raw table's Great
Expectations suite, then the file-level suite on ``raw.landing_log``) and reports one blocking check,
``great_expectations``, per raw table. Severities map as issue 5 defines them:

* a failed *critical* expectation -> the table's check fails with severity ERROR; the checks are blocking,
  so the dbt assets downstream do not run and the marts keep their previous content (the gate moves
  nothing to quarantine in that case);
* *quarantine* (rows moved to ``raw.quarantine``) and *warning* failures -> severity WARN: reported, the
  build goes on with the remaining rows.

File-level outcomes (a refused file, rows that do not reconcile, ...) count against the raw table the
file lands in (by its kind in ``raw.landing_log``, else by the landing folder's routing).
The failed expectations (expectation, severity, rows, files, examples) are each check's metadata, with
the path of the GX Data Docs site.
"""

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from orchestration.dagster.landing import GROUP, SOURCES, SOURCES_BY_NAME, raw_asset_key, source_of
from orchestration.dagster.resources import POOL, WarehouseResource, retry_on_lock

CHECK_NAME = "great_expectations"
OP_NAME = "quality_gate"
FILE_LEVEL_TABLE = "landing_log"
EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"


def suite_exists(source: str, table: str) -> bool:
    """Whether ``expectations/<source>__<entity>.py`` defines a suite for raw table ``<source>_<entity>``
    (checked by file, so loading the definitions does not import Great Expectations)."""
    entity = table.removeprefix(f"{source}_")
    return (EXPECTATIONS_DIR / f"{source}__{entity}.py").is_file()


# the raw tables the gate has a suite for; tables of sources without suites get no check (yet)
GATE_TABLES: tuple[str, ...] = tuple(t for s in SOURCES for t in s.tables if suite_exists(s.name, t))
SEVERITY_ORDER = {"critical": 0, "quarantine": 1, "warning": 2}


class QualityGateConfig(dg.Config):
    data_docs_dir: str | None = "reports/data-docs"  # relative to the working directory; null: no Data Docs


def table_for_file(
    path: str, kind: str | None, main_table: Mapping[str, str], landing_dir: Path
) -> str | None:
    """The raw table a landed (or refused) file belongs to: by its kind, else by the landing folder's routing."""
    if kind and kind in main_table:
        return main_table[kind]
    source = source_of(Path(path), landing_dir)
    return SOURCES_BY_NAME[source].tables[0] if source in SOURCES_BY_NAME else None


def attribute(outcome_table: str, files: Iterable[str], file_tables: Mapping[str, str | None]) -> set[str]:
    """The raw tables an outcome counts against: its own table, or for a file-level outcome the tables of
    the files it names (every table when it names none that can be placed)."""
    if outcome_table != FILE_LEVEL_TABLE:
        return {outcome_table}
    tables = {file_tables.get(f) for f in files} - {None}
    return tables or set(GATE_TABLES)


def failure_row(outcome: Any) -> dict[str, Any]:
    return {
        "severity": outcome.severity,
        "expectation": outcome.name,
        "rows": outcome.unexpected_count,
        "files": list(outcome.files)[:5],
        "examples": list(outcome.examples)[:3],
        "message": outcome.error or outcome.message,
    }


def failures_markdown(failures: list[dict[str, Any]]) -> str:
    if not failures:
        return "all expectations met"
    lines = ["| severity | expectation | rows | files | what |", "|---|---|---|---|---|"]
    for f in failures:
        files = ", ".join(Path(p).name for p in f["files"])
        lines.append(f"| {f['severity']} | {f['expectation']} | {f['rows']:,} | {files} | {f['message']} |")
    return "\n".join(lines)


def check_result(
    table: str, failures: list[dict[str, Any]], report: Any, docs: Path | None
) -> dg.AssetCheckResult:
    failures = sorted(failures, key=lambda f: (SEVERITY_ORDER.get(f["severity"], 0), f["expectation"]))
    critical = [f for f in failures if f["severity"] == "critical"]
    metadata: dict[str, Any] = {
        "critical_failures": len(critical),
        "quarantine_failures": sum(1 for f in failures if f["severity"] == "quarantine"),
        "warnings": sum(1 for f in failures if f["severity"] == "warning"),
        "rows_checked": report.rows_checked.get(table, 0),
        "rows_quarantined": report.quarantined.get(table, 0),
        "failed_expectations": dg.MetadataValue.md(failures_markdown(failures)),
        "gate_run_id": report.run_id,
    }
    if critical:
        metadata["first_critical"] = dg.MetadataValue.json(critical[0])
    if docs:
        metadata["data_docs"] = dg.MetadataValue.path(str(docs))
    return dg.AssetCheckResult(
        asset_key=raw_asset_key(table),
        check_name=CHECK_NAME,
        passed=not failures,
        severity=dg.AssetCheckSeverity.ERROR if critical else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
    )


@dg.multi_asset_check(
    name=OP_NAME,
    specs=[
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=raw_asset_key(table),
            blocking=True,
            description=(
                f"Great Expectations suite of raw.{table} (and the file-level checks of its files). A critical "
                "failure blocks the dbt build; quarantined rows and warnings are reported without blocking."
            ),
        )
        for table in GATE_TABLES
    ],
    can_subset=False,
    pool=POOL,
    description="The input quality gate: every raw table's GX suite, quarantine of row-level failures.",
)
def quality_gate(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, config: QualityGateConfig
) -> Iterator[dg.AssetCheckResult]:
    # imported here: Great Expectations takes seconds to import, definitions should load fast
    from expectations.raw__landing_log import MAIN_TABLE
    from orchestration.quality import run_gate

    docs_dir = Path(config.data_docs_dir).resolve() if config.data_docs_dir else None
    landing_dir = warehouse.landing_path()
    with retry_on_lock(context.op_execution_context), duckdb.connect(str(warehouse.db_path())) as con:
        report = run_gate(con, docs_dir=docs_dir, progress=context.log.debug)
        file_tables = {
            path: table_for_file(path, kind, MAIN_TABLE, landing_dir)
            for path, kind in con.execute("select distinct file_path, kind from raw.landing_log").fetchall()
        }
    context.log.info(report.summary())
    per_table: dict[str, list[dict[str, Any]]] = {t: [] for t in GATE_TABLES}
    for outcome in report.outcomes:
        if outcome.success:
            continue
        log = context.log.error if outcome.severity == "critical" else context.log.warning
        log(outcome.line())
        for table in attribute(outcome.table, outcome.files, file_tables):
            if table in per_table:
                per_table[table].append(failure_row(outcome))
    for table in GATE_TABLES:
        yield check_result(table, per_table[table], report, report.data_docs)


QUALITY_CHECKS: list[dg.AssetChecksDefinition] = [quality_gate]

# raw.quarantine is written by the checks above, not materialised by an asset of its own: an external asset in
# the landing group, so dbt's source `quality.quarantine` (stg_quality__quarantined_rows) has a parent in the graph
QUARANTINE_ASSET = dg.AssetSpec(
    raw_asset_key("quarantine"),
    group_name=GROUP,
    kinds={"duckdb"},
    description="raw.quarantine: the raw rows the input quality gate moved out of their raw tables (written "
    "by the great_expectations checks); counted in marts.fct_data_quality (check quarantined_row).",
    metadata={"dagster/table_name": "raw.quarantine"},
    tags={"flowmart/layer": "raw"},
)
