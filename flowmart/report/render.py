"""Turning a ``Review`` into the self-contained HTML document and its PDF.

Charts are PNG images embedded as data: URIs in <img> tags (no web fonts, no network), so the HTML opens
anywhere and the PDF renderer (WeasyPrint) draws the very same images. The HTML document (``interactive``)
draws the flow-time scatter and aging WIP with Vega-Lite instead (flowmart/report/explore.py): specs and the
vega/vega-lite/vega-embed JavaScript inlined, no request leaves the file; the PDF keeps their PNGs.
"""

from __future__ import annotations

import base64
import math
from datetime import timedelta
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from flowmart.report import charts
from flowmart.report.data import FLOW_ITEM_TYPES
from flowmart.report.review import Review, StreamReview

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _img(png: bytes, alt: str) -> dict:
    return {"src": "data:image/png;base64," + base64.b64encode(png).decode(), "alt": alt}


def fmt(value, unit: str = "", decimals: int | None = None) -> str:
    """A number for a reader: thousands separators, sensible decimals, unit; '–' when missing."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "–"
    value = float(value)
    if decimals is None:
        decimals = 0 if unit in ("items", "items/week", "") and value == round(value) else 1
    text = f"{value:,.{decimals}f}"
    if unit == "%":
        return text + "%"
    if unit == "pp":
        return text + " pp"
    return f"{text} {unit}".strip()


def fmt_change(comparison) -> str:
    change = comparison.change
    if change is None:
        return "–"
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    unit = {"%": " pp", "pp": " pp"}.get(comparison.unit, f" {comparison.unit}")
    text = f"{sign}{abs(change):,.1f}{unit}"
    if comparison.change_pct is not None and comparison.unit not in ("%", "pp"):
        text += f" ({sign}{abs(comparison.change_pct):.0f}%)"
    return text


def direction_text(comparison) -> str:
    """Arrow for the change itself, word for whether it is good news."""
    change = comparison.change
    if comparison.note:
        return comparison.note
    if comparison.direction == "n/a":
        return "no previous data"
    if comparison.direction == "same":
        return "= unchanged"
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {comparison.direction}"


def day_of(days, start) -> str:
    """The date of forecast day ``days`` counted from ``start`` (day 1 = ``start``); '–' when none."""
    if days is None or (isinstance(days, float) and math.isnan(days)):
        return "–"
    return (start + timedelta(days=int(days) - 1)).isoformat()


def guessed_active_note(stream: StreamReview) -> str:
    """Under the flow efficiency: how much of the active time only the tracker's status category calls active."""
    share = stream.metrics.get("guessed_active_share_pct")
    if not share or not stream.guessed_active_statuses:
        return ""
    many = len(stream.guessed_active_statuses) > 1
    return (
        f"{share:.0f}% of this active time is in {', '.join(stream.guessed_active_statuses)}: active only by the "
        "tracker's status category, as no row of seeds/status_mappings.csv maps "
        f"{'them' if many else 'it'}. Map {'them' if many else 'it'} (waiting, if work is put aside there) and the "
        "efficiency falls accordingly."
    )


def not_drawn_note(stream: StreamReview) -> str:
    """What the scatter and histogram leave out of the half's finished items, and why."""
    parts = []
    if stream.finished_unmapped:
        parts.append(f"{stream.finished_unmapped:,} of an unmapped item type (map it in seeds/flow_item_types.csv)")
    if stream.finished_without_start:
        parts.append(
            f"{stream.finished_without_start:,} finished without an observed start (no flow time: created done, "
            "or history from before the export)"
        )
    return ("Not drawn: " + "; ".join(parts) + ".") if parts else ""


def stream_charts(stream: StreamReview, review: Review) -> dict[str, dict]:
    name = stream.name
    m = stream.metrics
    percentiles = {
        "p50": m.get("flow_time_p50_days"),
        "p85": m.get("flow_time_p85_days"),
        "p95": m.get("flow_time_p95_days"),
    }
    out: dict[str, dict] = {}
    weeks = stream.weeks
    out["velocity"] = _img(
        charts.velocity_run_chart(
            list(pd.to_datetime(weeks.period_start).dt.date),
            weeks.flow_velocity.tolist(),
            f"Weekly flow velocity – {name}",
        ),
        "Weekly flow velocity run chart",
    )
    # the four flow items only; what is left out is said under both charts
    finished = stream.finished[stream.finished.flow_item_type.isin(FLOW_ITEM_TYPES)]
    note = not_drawn_note(stream)
    out["scatter"] = _img(
        charts.flow_time_scatter(
            finished.finished_at.to_numpy(),
            finished.flow_time_days.tolist(),
            finished.flow_item_type.tolist(),
            percentiles,
            f"Flow time of finished items – {name}",
            note=note,
        ),
        "Flow time scatterplot with p50, p85 and p95",
    )
    out["histogram"] = _img(
        charts.flow_time_histogram(
            finished.flow_time_days.tolist(), percentiles, f"Flow time distribution – {name}", note=note
        ),
        "Flow time histogram",
    )
    velocity = m.get("flow_velocity")
    days = (
        (pd.Timestamp(review.as_of).normalize() - pd.Timestamp(stream.daily.date_day.min())).days + 1
        if len(stream.daily)
        else None
    )
    out["littles_law"] = _img(
        charts.load_vs_velocity(
            weeks.flow_load_avg.tolist(),
            weeks.flow_velocity.tolist(),
            {
                "load": m.get("flow_load_avg"),
                "velocity_per_day": (velocity / days) if velocity is not None and days else None,
                "flow_time_mean_days": m.get("flow_time_mean_days"),
            },
            f"Flow load vs flow velocity – {name}",
        ),
        "Flow load against velocity per week (Little's law)",
    )
    months = stream.months
    out["efficiency"] = _img(
        charts.efficiency_trend(
            list(pd.to_datetime(months.period_start).dt.date),
            [None if pd.isna(v) else float(v) for v in months.flow_efficiency],
            review.half_start,
            f"Flow efficiency by month – {name}",
        ),
        "Flow efficiency trend",
    )
    mix = stream.month_mix
    target = {r.flow_item_type: r.target_pct for r in stream.distribution.itertuples() if r.target_pct is not None}
    out["distribution"] = _img(
        charts.distribution_by_month(
            list(pd.to_datetime(mix.index).date),
            {c: mix[c].tolist() for c in mix.columns},
            target or None,
            f"Flow distribution by month – {name}",
        ),
        "Flow distribution by month against the target mix",
    )
    bands = stream.cfd_bands
    labels = {"done": "done (since the half began)", "canceled": "canceled (since the half began)"}
    out["cfd"] = _img(
        charts.cumulative_flow_by_stage(
            list(pd.to_datetime(bands.index).date) if len(bands) else [],
            [(labels.get(c, c), bands[c].tolist()) for c in bands.columns],
            f"Cumulative flow by stage – {name}",
            stage_order=review.stage_order,
        ),
        "Cumulative flow diagram: one band per stage, arrivals and departures lines",
    )
    wip = stream.wip
    out["aging"] = _img(
        charts.aging_wip(
            wip.current_stage.fillna("(no stage)").tolist(),
            review.stage_order,
            wip.age_days.tolist(),
            wip.current_flow_state.tolist(),
            m.get("sle_days"),
            f"Aging WIP on {review.as_of[:10]} – {name}",
            bands={pct: m.get(f"aging_p{pct}_days") for pct in (50, 70, 85, 95)},
        ),
        "Aging WIP against the SLE",
    )
    stage = stream.stage_time
    guessed = set(stream.guessed_active_statuses)
    labels = [
        f"{s if isinstance(s, str) else '(no stage)'}: {t}"
        + (" (active by category, unmapped)" if t in guessed else "")
        for s, t in zip(stage.stage, stage.status, strict=True)
    ]
    out["waits"] = _img(
        charts.where_work_waits(
            labels,
            stage.share_of_flow_time.fillna(0).tolist(),
            stage.flow_state.tolist(),
            f"Where the flow time went – {name}",
        ),
        "Share of flow time per stage and status",
    )
    out.update(signal_charts(stream))
    if not stream.is_portfolio:
        out["outcome"] = _img(
            charts.outcome_against_flow(
                list(pd.to_datetime(stream.outcome_months.period_start).dt.date),
                _floats(stream.outcome_months.north_star_value),
                _floats(stream.outcome_months.flow_velocity),
                _floats(stream.outcome_months.flow_time_p85_days),
                str(stream.info.get("north_star_metric") or "North-star metric"),
                review.half_start,
                f"Outcome against flow, by month – {name}",
            ),
            "North-star metric by month above flow velocity and flow time p85",
        )
    return out


def _floats(values) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


XMR_COLUMNS = (
    "week_start",
    "value",
    "in_half",
    "center_line",
    "upper_natural_process_limit",
    "lower_natural_process_limit",
    "signal",
)


def signal_charts(stream: StreamReview) -> dict[str, dict]:
    """The two XmR charts of a stream (weekly velocity, weekly median flow time)."""
    out = {}
    for key, metric, label in (
        ("xmr_velocity", "flow_velocity", "Flow velocity (items/week)"),
        ("xmr_flow_time", "flow_time_p50_days", "Flow time, median (days)"),
    ):
        part = stream.xmr[stream.xmr.metric == metric] if len(stream.xmr) else pd.DataFrame(columns=XMR_COLUMNS)
        what = label.split(" (")[0].lower()
        out[key] = _img(
            charts.xmr_chart(
                list(pd.to_datetime(part.week_start).dt.date),
                _floats(part.value),
                [bool(v) for v in part.in_half],
                _floats(part.center_line),
                _floats(part.upper_natural_process_limit),
                _floats(part.lower_natural_process_limit),
                [v if isinstance(v, str) else None for v in part.signal],
                label,
                f"XmR: {what} by week – {stream.name}",
            ),
            f"XmR process behaviour chart of weekly {what}",
        )
    return out


def portfolio_charts(review: Review) -> dict[str, dict]:
    streams = [s for s in review.streams if not s.is_portfolio]
    names = [s.name for s in streams]

    def panel(metric: str, label: str):
        return (
            label,
            [s.metrics.get(metric) for s in streams],
            [s.metrics.get(f"{metric}_previous") for s in streams],
        )

    comparison = charts.stream_comparison(
        names,
        [
            panel("flow_velocity", "Flow velocity (items/half-year)"),
            panel("flow_time_p85_days", "Flow time p85 (days)"),
            panel("flow_load_avg", "Flow load, average (items)"),
            panel("flow_efficiency_pct", "Flow efficiency (%)"),
        ],
        "The streams compared: this half-year against the previous one",
    )
    stage_map = review.stage_map
    heat = charts.portfolio_map(
        stage_map.rows,
        stage_map.stages,
        stage_map.p85_days,
        stage_map.policy_days,
        stage_map.items_passed,
        stage_map.configured,
        "Value-stream map: p85 days in each stage against its policy, by segment and stream",
        stage_map.items_finished_in,
    )
    revenue = charts.revenue_view(
        [r["name"] for r in review.revenue_view],
        [r["revenue"] for r in review.revenue_view],
        [r["cost"] for r in review.revenue_view],
        review.currency,
        f"Revenue view: what each stream earned and cost in {review.half_label}",
    )
    return {
        "comparison": _img(comparison, "Streams compared on the flow metrics"),
        "map": _img(heat, "Two-dimensional value-stream map: p85 days in each stage against the stage policy"),
        "revenue": _img(revenue, "Revenue and cost per value stream"),
    }


def explorers(review: Review) -> dict[str, dict]:
    """Per stream: the interactive scatter + aging spec (as JSON text) and the items of its table."""
    from flowmart.report import explore

    names = {s.stream_id: s.name for s in review.streams if not s.is_portfolio}
    out = {}
    for stream in review.streams:
        m = stream.metrics
        four_items = stream.finished[stream.finished.flow_item_type.isin(FLOW_ITEM_TYPES)]  # as the static scatter
        all_finished = explore.finished_records(four_items, names)
        all_wip = explore.wip_records(stream.wip, names)
        finished = explore.sampled(
            all_finished, explore.MAX_FINISHED, f"{review.half_label}:{stream.stream_id}:finished"
        )
        wip = explore.sampled(all_wip, explore.MAX_WIP, f"{review.half_label}:{stream.stream_id}:wip")
        spec = explore.explorer_spec(
            finished,
            wip,
            review.stage_order,
            {
                "p50": m.get("flow_time_p50_days"),
                "p85": m.get("flow_time_p85_days"),
                "p95": m.get("flow_time_p95_days"),
            },
            {pct: m.get(f"aging_p{pct}_days") for pct in (50, 70, 85, 95)},
            names,
            f"Explore the items – {stream.name}",
            period=(review.half_start.isoformat(), review.as_of[:10]),
        )
        rows = [{**r, "kind": "finished"} for r in finished] + [{**r, "kind": "in progress"} for r in wip]
        out[stream.stream_id] = {
            "spec": explore.spec_json(spec),
            "items": rows,
            "sampled": len(finished) < len(all_finished) or len(wip) < len(all_wip),
            "finished_shown": len(finished),
            "finished_total": len(all_finished),
            "wip_shown": len(wip),
            "wip_total": len(all_wip),
        }
    return out


def render_html(review: Review, interactive: bool = True, images: dict | None = None) -> str:
    """The review as one HTML document: ``interactive`` (the HTML file) with the Vega-Lite explorers and their
    inlined JavaScript, else static images only (what the PDF is made from). ``images``: charts already drawn
    (``chart_images``), so the two documents share one drawing of the PNGs."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["fmt_change"] = fmt_change
    env.filters["direction"] = direction_text
    env.filters["day_of"] = day_of
    env.filters["guessed_active_note"] = guessed_active_note
    env.globals["isnan"] = lambda v: v is None or (isinstance(v, float) and math.isnan(v))
    template = env.get_template("review.html.j2")
    images = images or chart_images(review)
    names = {s.stream_id: s.name for s in review.streams}
    if interactive:
        from flowmart.report import explore

        explore_js, explore_specs = explore.javascript(), explorers(review)
    else:
        explore_js, explore_specs = None, {}
    return template.render(
        review=review,
        images=images["streams"],
        names=names,
        portfolio=images["portfolio"],
        css=(TEMPLATES / "review.css").read_text(),
        np=np,
        interactive=interactive,
        explore=explore_specs,
        explore_js=explore_js,
    )


def chart_images(review: Review) -> dict:
    """Every PNG chart of the review, drawn once: {"streams": {stream: {chart: img}}, "portfolio": {...}}."""
    return {
        "streams": {s.stream_id: stream_charts(s, review) for s in review.streams},
        "portfolio": portfolio_charts(review),
    }


PANGO_MISSING = (
    "the PDF needs the Pango libraries, which this machine lacks (Debian/Ubuntu: apt-get install "
    "libpango-1.0-0 libpangoft2-1.0-0; macOS: brew install pango); the HTML report is written"
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot load its system libraries (Pango): no PDF, the HTML is still written."""


def render_pdf(html: str, path: Path) -> None:
    import logging

    try:
        from weasyprint import HTML
    except OSError as exc:  # "cannot load library 'libpango-1.0-0'"
        raise PdfUnavailable(f"{PANGO_MISSING} ({str(exc).splitlines()[0][:120]})") from None

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=html, base_url=str(TEMPLATES)).write_pdf(str(path))
