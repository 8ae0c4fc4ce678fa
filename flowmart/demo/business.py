"""Business results of the demo company: ``business/business_results.csv`` (docs/input-formats.md).

Acme Mobility reports, per value stream and month, its north-star metric (the name in seeds/value_streams.csv),
its cost and its quality and happiness results; the two streams customers pay for also report revenue:
Fleet Starter (card subscriptions) and Enterprise Fleet Operations (contracts). Admin & Compliance,
Billing & Payments and the Telematics platform earn nothing themselves and are still essential: the
review's revenue view shows them as such.

Every month from the first full month of the demo's history to the last full month before the export
moment. Deterministic: the same (seed, end) give a byte-identical file.
"""

from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flowmart.demo import EXPORT_END

HISTORY_MONTHS = 30  # the Jira timeline's span (flowmart.demo.jira)


@dataclass(frozen=True)
class StreamResults:
    """How one stream's results move over the months (a linear trend plus noise)."""

    north_star: str  # as in seeds/value_streams.csv
    north_star_from: float  # %, at the first month ...
    north_star_to: float  # ... and at the last
    north_star_noise: float
    cost_from: float  # EUR per month
    cost_to: float
    revenue_from: float | None = None  # EUR per month; None: the stream earns no revenue itself
    revenue_to: float | None = None
    quality_from: float = 95.0  # % of changes released without an incident
    quality_to: float = 97.0
    happiness: float = 7.2  # team happiness, score 1-10


STREAMS: dict[str, StreamResults] = {
    "smb_fleet": StreamResults(
        "Trial fleets converting to paid within 14 days (%)", 18.0, 26.0, 1.2, 140_000, 175_000, 180_000, 430_000
    ),
    "enterprise_ops": StreamResults(
        "Contracted fleets live within 30 days of signature (%)", 55.0, 71.0, 3.0, 190_000, 240_000, 350_000, 620_000
    ),
    "enterprise_it": StreamResults(
        "Security reviews passed on first submission (%)", 60.0, 78.0, 4.0, 115_000, 135_000, happiness=6.6
    ),
    "payments": StreamResults(
        "Invoices collected without manual intervention (%)", 88.0, 95.0, 0.8, 85_000, 95_000, quality_from=97.0
    ),
    "platform": StreamResults(
        "Vehicle events reaching apps within 60 s (%)", 97.0, 99.4, 0.25, 200_000, 230_000, happiness=7.6
    ),
}
HEADER = ("value_stream_id", "period_start", "metric", "value", "unit")


def months(end: date = EXPORT_END) -> list[date]:
    """The first days of the full months of the demo's history before ``end``'s month, oldest first."""
    last = end.year * 12 + end.month - 2  # the month before end's
    first = end.year * 12 + end.month - 1 - HISTORY_MONTHS + 1  # the first full month of the history
    return [date(m // 12, m % 12 + 1, 1) for m in range(first, last + 1)]


def rows(seed: int = 42, end: date = EXPORT_END) -> list[tuple[str, str, str, str, str]]:
    rng = random.Random(f"business-results:{seed}")
    spine = months(end)
    out = []
    for stream, r in STREAMS.items():
        for i, month in enumerate(spine):
            share = i / max(len(spine) - 1, 1)
            season = math.sin(2 * math.pi * (month.month - 1) / 12)  # summer peak, winter dip

            def trend(start: float, stop: float, share: float = share) -> float:
                return start + (stop - start) * share

            north_star = min(100.0, trend(r.north_star_from, r.north_star_to) + rng.gauss(0, r.north_star_noise))
            values = [(r.north_star, f"{north_star:.1f}", "%")]
            if r.revenue_from is not None and r.revenue_to is not None:
                revenue = trend(r.revenue_from, r.revenue_to) * (1 + 0.04 * season + rng.gauss(0, 0.03))
                values.append(("revenue", f"{round(revenue, -2):.0f}", "EUR"))
            cost = trend(r.cost_from, r.cost_to) * (1 + rng.gauss(0, 0.02))
            values.append(("cost", f"{round(cost, -2):.0f}", "EUR"))
            quality = min(100.0, trend(r.quality_from, r.quality_to) + rng.gauss(0, 0.8))
            values.append(("quality", f"{quality:.1f}", "%"))
            happiness = min(10.0, max(1.0, r.happiness + rng.gauss(0, 0.3)))
            values.append(("happiness", f"{happiness:.1f}", "score 1-10"))
            out += [(stream, month.isoformat(), metric, value, unit) for metric, value, unit in values]
    return out


def generate_business_results(out_dir: str | Path, seed: int = 42, end: date = EXPORT_END) -> Path:
    """Write ``out_dir/business/business_results.csv`` and return its path."""
    path = Path(out_dir) / "business" / "business_results.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows(seed, end))
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
