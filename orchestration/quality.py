"""The input quality gate as an asset, and blocking asset checks that read what it found.

* The asset ``quality_gate`` runs :func:`flowmart.pipeline.gate` once over the warehouse (every raw table's
  Great Expectations suite, then the file-level suite on ``raw.landing_log``) and materialises what the gate
  writes: ``raw/validation_results`` (every expectation's outcome) and ``raw/quarantine`` (the rows it moved
  out of their raw tables). A critical failure moves nothing.
* The checks only read ``raw.validation_results`` of the newest gate run and report it. The blocking check
  ``gate_passed`` on ``raw/validation_results`` fails when a *critical* expectation failed; every dbt model
  that reads a source, and every seed, depends on ``raw/validation_results`` (orchestration/dbt.py), so every
  dbt asset is downstream of it: then none runs and the marts keep their previous content. The checks ``great_expectations``, one per guarded raw table, report
  per table: a failed critical expectation with severity ERROR, *quarantine* and *warning* failures with
  severity WARN (the build goes on without the quarantined rows).

File-level outcomes (a refused file, rows that do not reconcile, ...) count against the raw table the
file lands in (by its kind in ``raw.landing_log``, else by the landing folder's routing). The failed
expectations (expectation, severity, rows, files, examples) are each check's metadata.
"""

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from flowmart import pipeline, trackers
from orchestration.landing import GROUP, raw_asset_key, source_of
from orchestration.resources import POOL, WarehouseResource, retry_on_lock

CHECK_NAME = "great_expectations"
GATE_PASSED = "gate_passed"
OP_NAME = "quality_gate"
CHECKS_OP_NAME = "quality_checks"
FILE_LEVEL_TABLE = "landing_log"
RESULTS_KEY = raw_asset_key("validation_results")
QUARANTINE_KEY = raw_asset_key("quarantine")
SEVERITY_ORDER = {"critical": 0, "quarantine": 1, "warning": 2}

# the raw tables a suite guards (the tracker registry names each table's suite)
GATE_TABLES: tuple[str, ...] = tuple(t.name for t in trackers.raw_tables() if t.suite)


class QualityGateConfig(dg.Config):
    data_docs_dir: str | None = "reports/data-docs"  # relative to the working directory; null: no Data Docs
    validate_all: bool = False  # every landed file, not only those landed since the last passed run


@dg.multi_asset(
    name=OP_NAME,
    specs=[
        dg.AssetSpec(
            RESULTS_KEY,
            group_name=GROUP,
            kinds={"duckdb", "great_expectations"},
            deps=[raw_asset_key(t) for t in GATE_TABLES],
            description="raw.validation_results: every expectation's outcome, one row per expectation per gate run.",
            metadata={"dagster/table_name": "raw.validation_results"},
            tags={"flowmart/layer": "raw"},
        ),
        dg.AssetSpec(
            QUARANTINE_KEY,
            group_name=GROUP,
            kinds={"duckdb"},
            deps=[raw_asset_key(t) for t in GATE_TABLES],
            description="raw.quarantine: the raw rows the input quality gate moved out of their raw tables; "
            "counted in marts.fct_data_quality (check quarantined_row).",
            metadata={"dagster/table_name": "raw.quarantine"},
            tags={"flowmart/layer": "raw"},
        ),
    ],
    can_subset=False,
    pool=POOL,
    description="The input quality gate: every raw table's GX suite, quarantine of row-level failures.",
)
def quality_gate(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, config: QualityGateConfig
) -> Iterator[dg.MaterializeResult]:
    options = pipeline.GateOptions(
        docs_dir=Path(config.data_docs_dir) if config.data_docs_dir else None, full=config.validate_all
    )
    with retry_on_lock(context):
        report = pipeline.gate(warehouse.warehouse(), options, progress=context.log.debug)
    context.log.info(report.summary())
    for outcome in report.outcomes:
        if not outcome.success:
            (context.log.error if outcome.severity == "critical" else context.log.warning)(outcome.line())
    results = {
        "gate_run_id": report.run_id,
        "passed": not report.failed,
        "expectations": len(report.outcomes),
        "critical_failures": len(report.failures("critical")),
        "warnings": len(report.failures("warning")),
        "rows_checked": sum(n for t, n in report.rows_checked.items() if t != FILE_LEVEL_TABLE),
        "rows_of": report.scope,
    }
    if report.data_docs:
        results["data_docs"] = dg.MetadataValue.path(str(report.data_docs))
    yield dg.MaterializeResult(asset_key=RESULTS_KEY, metadata=results)
    yield dg.MaterializeResult(
        asset_key=QUARANTINE_KEY,
        metadata={
            "gate_run_id": report.run_id,
            "rows_quarantined_this_run": report.rows_quarantined,
            "rows_quarantined_by_table": dg.MetadataValue.json(report.quarantined),
        },
    )


# ---------------------------------------------------------------------------------------------
# the checks: read the newest gate run


def table_for_file(path: str, kind: str | None, landing_dir: Path) -> str | None:
    """The raw table a landed (or refused) file belongs to: by its kind, else by the landing folder's routing."""
    kinds = trackers.kinds()
    if kind and kind in kinds:
        return kinds[kind].table
    source = source_of(Path(path), landing_dir)
    return trackers.get(source).table_names[0] if source else None


def attribute(outcome_table: str, files: Iterable[str], file_tables: Mapping[str, str | None]) -> set[str]:
    """The raw tables an outcome counts against: its own table, or for a file-level outcome the tables of
    the files it names (every table when it names none that can be placed)."""
    if outcome_table != FILE_LEVEL_TABLE:
        return {outcome_table}
    tables = {file_tables.get(f) for f in files} - {None}
    return tables or set(GATE_TABLES)


def failures_markdown(failures: list[dict[str, Any]]) -> str:
    if not failures:
        return "all expectations met"
    lines = ["| severity | expectation | rows | files | what |", "|---|---|---|---|---|"]
    for f in failures:
        files = ", ".join(Path(p).name for p in f["files"])
        lines.append(f"| {f['severity']} | {f['expectation']} | {f['rows']:,} | {files} | {f['message']} |")
    return "\n".join(lines)


def check_result(
    table: str, failures: list[dict[str, Any]], rows_checked: int, rows_quarantined: int, run_id: str | None
) -> dg.AssetCheckResult:
    failures = sorted(failures, key=lambda f: (SEVERITY_ORDER.get(f["severity"], 0), f["expectation"]))
    critical = [f for f in failures if f["severity"] == "critical"]
    metadata: dict[str, Any] = {
        "critical_failures": len(critical),
        "quarantine_failures": sum(1 for f in failures if f["severity"] == "quarantine"),
        "warnings": sum(1 for f in failures if f["severity"] == "warning"),
        "rows_checked": rows_checked,
        "rows_quarantined": rows_quarantined,
        "failed_expectations": dg.MetadataValue.md(failures_markdown(failures)),
        "gate_run_id": run_id or "",
    }
    if critical:
        metadata["first_critical"] = dg.MetadataValue.json(critical[0])
    return dg.AssetCheckResult(
        asset_key=raw_asset_key(table),
        check_name=CHECK_NAME,
        passed=not failures and run_id is not None,
        severity=dg.AssetCheckSeverity.ERROR if critical or run_id is None else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
    )


def newest_run(warehouse: WarehouseResource) -> tuple[str | None, list[dict], dict[str, int], dict[str, str | None]]:
    """The newest gate run in the warehouse: its id, its failed expectations, rows quarantined per table,
    and the raw table of every file in the landing log."""
    landing_dir = warehouse.landing_path()
    with warehouse.warehouse().connect(read_only=True) as con:
        row = con.execute("select run_id from raw.validation_results order by run_at desc limit 1").fetchone()
        if row is None:
            return None, [], {}, {}
        run_id = row[0]
        columns = [
            "source_table",
            "expectation",
            "severity",
            "success",
            "element_count",
            "unexpected_count",
            "message",
            "examples",
            "files",
        ]
        outcomes = [
            dict(zip(columns, r, strict=True))
            for r in con.execute(
                f"select {', '.join(columns)} from raw.validation_results where run_id = ?", [run_id]
            ).fetchall()
        ]
        quarantined = dict(
            con.execute(
                "select source_table, count(*) from raw.quarantine where run_id = ? group by 1", [run_id]
            ).fetchall()
        )
        file_tables = {
            path: table_for_file(path, kind, landing_dir)
            for path, kind in con.execute("select distinct file_path, kind from raw.landing_log").fetchall()
        }
    return run_id, outcomes, quarantined, file_tables


@dg.multi_asset_check(
    name=CHECKS_OP_NAME,
    specs=[
        dg.AssetCheckSpec(
            GATE_PASSED,
            asset=RESULTS_KEY,
            blocking=True,
            description="No critical expectation failed in the newest gate run: the dbt build may go on.",
        ),
        *(
            dg.AssetCheckSpec(
                CHECK_NAME,
                asset=raw_asset_key(table),
                additional_deps=[RESULTS_KEY],
                description=(
                    f"The newest gate run's outcomes for raw.{table} (and the file-level checks of its files): a critical "
                    "failure (which also fails gate_passed, blocking dbt), quarantined rows and warnings."
                ),
            )
            for table in GATE_TABLES
        ),
    ],
    can_subset=False,
    pool=POOL,
    description="Reports the input quality gate's newest run per raw table (reads raw.validation_results).",
)
def quality_checks(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    with retry_on_lock(context.op_execution_context):
        run_id, outcomes, quarantined, file_tables = newest_run(warehouse)
    if run_id is None:
        context.log.error("no gate run is recorded in raw.validation_results: materialize raw/validation_results first")
    per_table: dict[str, list[dict[str, Any]]] = {t: [] for t in GATE_TABLES}
    rows_checked: dict[str, int] = {}
    for o in outcomes:
        rows_checked[o["source_table"]] = max(rows_checked.get(o["source_table"], 0), o["element_count"] or 0)
        if o["success"]:
            continue
        files = json.loads(o["files"]) if o["files"] else []
        examples = json.loads(o["examples"]) if o["examples"] else []
        if not files:
            files = sorted({e["file"] for e in examples if e.get("file")})
        failure = {
            "severity": o["severity"],
            "expectation": o["expectation"],
            "rows": o["unexpected_count"],
            "files": files[:5],
            "examples": examples[:3],
            "message": o["message"],
        }
        for table in attribute(o["source_table"], files, file_tables):
            if table in per_table:
                per_table[table].append(failure)
    for table in GATE_TABLES:
        yield check_result(table, per_table[table], rows_checked.get(table, 0), quarantined.get(table, 0), run_id)
    critical = [o for o in outcomes if o["severity"] == "critical" and not o["success"]]
    yield dg.AssetCheckResult(
        asset_key=RESULTS_KEY,
        check_name=GATE_PASSED,
        passed=run_id is not None and not critical,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "critical_failures": len(critical),
            "first_critical": dg.MetadataValue.md(
                f"{critical[0]['expectation']}: {critical[0]['message']}" if critical else "none"
            ),
            "gate_run_id": run_id or "",
        },
    )


QUALITY_ASSETS: list[dg.AssetsDefinition] = [quality_gate]
QUALITY_CHECKS: list[dg.AssetChecksDefinition] = [quality_checks]

# raw.landed_rows is written by every landing asset (how many rows each file put in each raw table): an
# external asset in the landing group, so dbt's source quality.landed_rows has a parent in the graph
LANDED_ROWS_ASSET = dg.AssetSpec(
    raw_asset_key("landed_rows"),
    group_name=GROUP,
    kinds={"duckdb"},
    description="raw.landed_rows: rows each landed file put in each raw table (written at landing).",
    metadata={"dagster/table_name": "raw.landed_rows"},
    tags={"flowmart/layer": "raw"},
)
