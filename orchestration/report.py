"""The semiannual review report as an asset downstream of the marts.

The asset calls :func:`flowmart.pipeline.review` for one half-year: it rebuilds the marts as
of the half-year's last second in a work copy of the warehouse, stores every number in
``marts.review_snapshots`` and writes the HTML (and PDF). The review schedule passes the half-year just
ended; run it by hand from the UI (Launchpad) with another ``half`` in the run config.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from flowmart import pipeline
from flowmart.report.build import fiscal_start_month
from flowmart.report.periods import Half
from orchestration.dbt import dbt_keys_in_group
from orchestration.jobs import REPORT_GROUP, REPORT_KEY
from orchestration.resources import POOL, WarehouseResource, retry_on_lock


class ReviewConfig(dg.Config):
    """Which half-year to review, and how. ``half`` empty: the last complete half-year (UTC)."""

    half: str | None = None  # e.g. "2026-H1"
    out_dir: str = "reports"  # relative to the working directory, as for `flowmart report --out`
    pdf: bool = True
    weeks: int = 12  # weeks of daily throughput the forecasts draw from
    trials: int = 10_000  # Monte Carlo trials per forecast
    rebuild_as_of: bool = True  # False: the warehouse is already built as of the half-year's end


def chosen_half(config: ReviewConfig, now: datetime | None = None) -> Half:
    months = fiscal_start_month()
    if config.half:
        return Half.parse(config.half, months)
    return Half.last_complete((now or datetime.now(UTC)).date(), months)


@contextmanager
def refused_half() -> Iterator[None]:
    """A half without work fails the run with its one-line reason, not a traceback."""
    from flowmart.report.build import NoWorkInHalf

    try:
        yield
    except NoWorkInHalf as exc:
        raise dg.Failure(description=f"half {exc}") from None


@dg.asset(
    key=REPORT_KEY,
    group_name=REPORT_GROUP,
    deps=dbt_keys_in_group("marts"),
    kinds={"python", "html", "pdf"},
    pool=POOL,
    description=(
        "The semiannual value-stream review: one HTML file (charts embedded) and a PDF for the half-year, "
        "every number computed as of its last second and kept in marts.review_snapshots."
    ),
)
def semiannual_review(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, config: ReviewConfig
) -> dg.MaterializeResult:
    try:
        half = chosen_half(config)
    except ValueError as exc:
        raise dg.Failure(description=f"half: {exc}") from None
    store = warehouse.warehouse()
    context.log.info(f"writing the review of {half.label} (as of {half.as_of} UTC) from {store}")
    with retry_on_lock(context), refused_half():
        result = pipeline.review(
            store,
            half,
            Path(config.out_dir).resolve(),
            pdf=config.pdf,
            history_weeks=config.weeks,
            trials=config.trials,
            built_as_of=not config.rebuild_as_of,
            log=context.log.info,
        )
    metadata = {
        "half": half.label,
        "as_of": half.as_of,
        "html_path": dg.MetadataValue.path(str(result.html)),
        "snapshot_rows": result.snapshot_rows,
    }
    if result.pdf:
        metadata["pdf_path"] = dg.MetadataValue.path(str(result.pdf))
    return dg.MaterializeResult(metadata=metadata)


REPORT_ASSETS = [semiannual_review]
