"""The demo company's business results (flowmart/demo/business.py): they match the shipped seed, are
deterministic and leave the supporting and compliance streams without revenue."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from flowmart.demo.business import STREAMS, generate_business_results, months

REPO = Path(__file__).resolve().parents[2]


def test_every_demo_stream_reports_its_seeded_north_star_and_only_customer_streams_earn(tmp_path):
    with (REPO / "seeds" / "value_streams.csv").open() as handle:
        seed = {row["value_stream_id"]: row["north_star_metric"] for row in csv.DictReader(handle)}
    path = generate_business_results(tmp_path)
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["value_stream_id"] for r in rows} == set(seed) == set(STREAMS)
    for stream, north_star in seed.items():
        metrics = {r["metric"] for r in rows if r["value_stream_id"] == stream}
        assert north_star in metrics
        assert metrics - {north_star} <= {"revenue", "cost", "quality", "happiness"}
    earning = {r["value_stream_id"] for r in rows if r["metric"] == "revenue"}
    assert earning == {"smb_fleet", "enterprise_ops"}
    # June 2024 (the first full month of the 30-month history) to October 2026 (before the export month)
    assert (months()[0], months()[-1], len(months())) == (date(2024, 6, 1), date(2026, 10, 1), 29)
    assert {r["period_start"] for r in rows} == {m.isoformat() for m in months()}
    for r in rows:
        float(r["value"])  # every value is a plain number


def test_the_same_seed_gives_the_same_file(tmp_path):
    first = generate_business_results(tmp_path / "a").read_bytes()
    assert generate_business_results(tmp_path / "b").read_bytes() == first
    assert generate_business_results(tmp_path / "c", seed=7).read_bytes() != first
