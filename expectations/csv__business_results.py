"""raw.csv_business_results: one row per line of a landed business_results.csv file (a value stream's
business result for one month: its north-star metric, revenue, cost, quality or happiness)."""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.shared import QUARANTINE, WARNING, expect, text
from expectations.spec import Present, TableSpec, Timestamp, Unique

# the metrics every stream may report besides its north-star metric (the Flow Framework's business results)
STANDARD_METRICS = ("revenue", "cost", "quality", "happiness")
ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

SPEC = TableSpec(
    table="csv_business_results",
    suite_name="csv__business_results",
    unit="business result",
    alias="results",
    required_in_file=("value_stream_id", "period_start", "metric", "value"),
    required_message="a required column (value_stream_id, period_start, metric, value) has no value in the whole file",
    present=(
        Present("value_stream_id", "value_stream_id"),
        Present("period_start", "period_start"),
        Present("metric", "metric"),
        Present("value", "value"),
    ),
    timestamps=(Timestamp("period_start", "first day of the month the value is for"),),
    unique=Unique(
        "result_unique_in_file",
        ("trim(value_stream_id)", "trim(period_start)", "lower(trim(metric))"),
        "result (value_stream_id, period_start, metric)",
    ),
    identifiers=("value_stream_id", "period_start", "metric", "value", "unit"),
    identifiers_what="a stream id, date, metric, value or unit",
    columns={
        "value_stream_id": text("results.value_stream_id"),
        # a date is YYYY-MM-DD: a timestamp would parse, but say a moment, not a month
        "period_start_date": f"case when regexp_full_match({text('results.period_start')}, '{ISO_DATE}') "
        f"then try_cast({text('results.period_start')} as date) end",
        "period_start_day": f"extract(day from try_cast({text('results.period_start')} as date))",
        "value_number": f"try_cast({text('results.value')} as double)",
        "metric_key": f"case when lower({text('results.metric')}) in ({', '.join(repr(m) for m in STANDARD_METRICS)}) "
        f"then lower({text('results.metric')}) "
        f"else lower({text('results.value_stream_id')}) || '|' || lower({text('results.metric')}) end",
    },
    checks=lambda mappings, settings: [
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "period_start_is_date",
            "period_start is not a date (YYYY-MM-DD, the first day of the month the value is for)",
            column="period_start_date",
            row_condition=Column("period_start").is_not_null(),
        ),
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            "value_numeric",
            "value is not a number (digits, '.' for decimals, no thousands separator or currency sign)",
            column="value_number",
            row_condition=Column("value").is_not_null(),
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            QUARANTINE,
            "metric_known",
            "metric is neither the stream's north-star metric (seeds/value_streams.csv) nor one of "
            + ", ".join(STANDARD_METRICS),
            column="metric_key",
            value_set=sorted({*STANDARD_METRICS, *mappings.north_star_keys}),
            # a stream the seed lacks is its own warning: its rows stay until the seed has it
            row_condition=Column("value_stream_id").is_in(sorted(mappings.value_streams) or ["(none)"]),
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "value_stream_known",
            "value_stream_id is not in seeds/value_streams.csv: its results are in no stream's outcomes until it is",
            column="value_stream_id",
            value_set=sorted(mappings.value_streams) or ["(none)"],
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            "period_start_first_of_month",
            "period_start is not the first day of a month: the value counts for the month it falls in",
            column="period_start_day",
            value_set=[1],
        ),
    ],
)

TABLE, SUITE_NAME, frame_sql, build_suite = SPEC.exports()
