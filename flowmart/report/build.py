"""The review pipeline: as_of work copy -> marts -> numbers -> snapshots -> HTML and PDF.

Decision (docs/adr/0015-review-numbers-from-an-as-of-rebuild.md): the review's numbers come from the real dbt models rebuilt with
``as_of`` = the last second of the half-year in a separate work copy of the warehouse, so the report
never re-implements a lifecycle rule and the main warehouse keeps ``as_of`` = now.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from flowmart.report.periods import Half
from flowmart.settings import PROJECT_DIR


@dataclass
class ReportResult:
    half: Half
    html: Path | None
    pdf: Path | None
    snapshot_rows: int
    as_of_db: Path | None  # the kept work copy, when asked for


def fiscal_start_month() -> int:
    """The dbt var fiscal_year_start_month from dbt_project.yml (the marts' half-years follow it)."""
    import yaml

    try:
        project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text()) or {}
        return int((project.get("vars") or {}).get("fiscal_year_start_month") or 1)
    except (OSError, ValueError, TypeError):
        return 1


def default_half(today: date | None = None) -> Half:
    """The last complete half-year (UTC today)."""
    return Half.last_complete(today or datetime.now(UTC).date(), fiscal_start_month())


def copy_warehouse(db: Path, destination: Path) -> None:
    """Copy the warehouse file (and its WAL) while holding a read-only connection, so no writer interferes."""
    if not db.exists():
        raise FileNotFoundError(2, "no such warehouse file (run `flowmart demo` or `flowmart land` first)", str(db))
    with duckdb.connect(str(db), read_only=True):
        shutil.copyfile(db, destination)
        wal = db.with_name(db.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, destination.with_name(destination.name + ".wal"))


def build_as_of(db: Path, half: Half, workdir: Path) -> Path:
    """A copy of ``db`` in ``workdir`` rebuilt by dbt with as_of = the half-year's last second."""
    from flowmart.dbt import DbtSettings, run_dbt

    copy = workdir / db.name  # same file stem = same dbt database name as the main warehouse
    copy_warehouse(db, copy)
    # models only: the main warehouse's own builds run the data tests; --full-refresh because
    # incremental models must not keep rows computed as of a later time
    run_dbt(
        copy,
        [
            "build",
            "--quiet",
            "--full-refresh",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
        ],
        DbtSettings(as_of=half.as_of, target_path=workdir / "target"),
    )
    return copy


class NoWorkInHalf(ValueError):
    """The half-year has no work finished or in progress: a review of it would be empty tables."""


WORK_IN_HALF = """
select
    count(*) filter (
        where (finished_at >= ?::timestamp and finished_at < ?::timestamp)
            or (started_at < ?::timestamp and (finished_at is null or finished_at >= ?::timestamp))
    ) as in_half,
    min(coalesce(started_at, finished_at))::date as first_day,
    max(coalesce(finished_at, started_at))::date as last_day
from marts.fct_work_items
"""


def require_work(con: duckdb.DuckDBPyConnection, half: Half, db: Path) -> None:
    """Refuse a half without work finished or in progress in it (nothing to review); a warehouse whose
    marts are not built yet is not judged here."""
    built = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'fct_work_items'"
    ).fetchone()[0]
    if not built:
        return
    start, end = str(half.start), str(half.end)
    in_half, first_day, last_day = con.execute(WORK_IN_HALF, [start, end, end, end]).fetchone()
    if in_half:
        return
    span = f"its work runs from {first_day} to {last_day}" if first_day else "it has no started or finished work"
    raise NoWorkInHalf(
        f"{half.label}: no work finished or in progress in this half-year ({half.start} to {half.last_day}; "
        f"{db}: {span}); nothing was written"
    )


def make_report(
    db: Path,
    half: Half,
    out_dir: Path,
    *,
    html: bool = True,
    pdf: bool = True,
    history_weeks: int = 12,
    trials: int = 10_000,
    keep_build: Path | None = None,
    built_as_of: bool = False,
    log=lambda text: print(text, file=sys.stderr),
) -> ReportResult:
    """Build the review of ``half`` from warehouse ``db``: snapshots into ``db``, HTML (+ PDF) into ``out_dir``.

    ``built_as_of``: ``db`` itself is already built with as_of = ``half.as_of`` (skips the work copy).
    ``html=False``: compute and store the numbers only (no documents, no PDF).
    """
    from flowmart.report import render, snapshots
    from flowmart.report.data import load
    from flowmart.report.review import build_review

    started = time.perf_counter()
    with duckdb.connect(str(db), read_only=True) as con:
        require_work(con, half, db)  # before the as-of rebuild: a half without work is refused at once
    if html:
        out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="flowmart-review-") as tmp:
        if built_as_of:
            source = db
        else:
            log(f"report: rebuilding the marts as of {half.as_of} in a work copy of {db}")
            source = build_as_of(db, half, Path(tmp))
        log("report: computing the review numbers")
        with duckdb.connect(str(source), read_only=True) as con:
            require_work(con, half, db)
            inputs = load(con, half, history_weeks=history_weeks)
        if keep_build and not built_as_of:
            keep_build.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, keep_build)
    review = build_review(inputs, trials=trials)
    with duckdb.connect(str(db)) as con:
        written = snapshots.write(con, half.label, review.snapshot)
    log(f"report: {written} numbers stored in marts.review_snapshots (review {half.label})")
    html_path = pdf_path = None
    if html:
        log("report: drawing the charts")
        images = render.chart_images(review)
        document = render.render_html(review, interactive=True, images=images)
        html_path = out_dir / f"flowmart-review-{half.label}.html"
        html_path.write_text(document, encoding="utf-8")
        if pdf:
            log("report: writing the PDF")
            pdf_path = out_dir / f"flowmart-review-{half.label}.pdf"
            try:
                render.render_pdf(render.render_html(review, interactive=False, images=images), pdf_path)
            except render.PdfUnavailable as exc:
                log(f"report: no PDF: {exc}")
                pdf_path = None
    log(f"report: done in {time.perf_counter() - started:,.1f} s")
    return ReportResult(half, html_path, pdf_path, written, keep_build if keep_build and not built_as_of else None)
