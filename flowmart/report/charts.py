"""The review's charts: Matplotlib figures rendered to PNG bytes (embedded in the HTML as data: URIs).

Every chart has a title and axis labels with units, uses the Okabe-Ito colour-blind-safe palette (plus
marker shapes, hatches and line styles, so it still reads in greyscale print). PNG at 200 dpi: sharp on
screen and in print, and about 20x faster for the PDF renderer than SVG (docs/adr/0016-report-charts-as-png.md). Output is
deterministic (no date or software metadata). Every function takes plain sequences and returns PNG
bytes; empty data gives a chart saying so.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from datetime import date

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import matplotlib.patches as mpatches
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}
TYPE_COLORS = {
    "feature": OKABE_ITO["blue"],
    "defect": OKABE_ITO["vermillion"],
    "risk": OKABE_ITO["reddish_purple"],
    "debt": OKABE_ITO["orange"],
    "unmapped": OKABE_ITO["grey"],
}
TYPE_MARKERS = {"feature": "o", "defect": "s", "risk": "^", "debt": "D", "unmapped": "x"}
TYPE_HATCHES = {"feature": "", "defect": "//", "risk": "..", "debt": "\\\\", "unmapped": "xx"}
STATE_COLORS = {
    "new": OKABE_ITO["sky_blue"],
    "active": OKABE_ITO["bluish_green"],
    "waiting": OKABE_ITO["orange"],
    "done": OKABE_ITO["blue"],
    "canceled": OKABE_ITO["grey"],
}
PERCENTILE_STYLES = {  # label -> (colour, line style)
    "p50": (OKABE_ITO["black"], "-"),
    "p85": (OKABE_ITO["vermillion"], "--"),
    "p95": (OKABE_ITO["reddish_purple"], ":"),
}
CURRENT = OKABE_ITO["blue"]
PREVIOUS = OKABE_ITO["sky_blue"]
WIDTH, HEIGHT = 5.6, 3.1  # inches: two charts side by side on A4 landscape at ~100%

plt.rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": 8.5,
        "axes.titlesize": 9.5,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 8.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.6,
        "legend.fontsize": 7.5,
        "legend.frameon": False,
        "figure.dpi": 100,
        # tracker text (status, stream and item names) is drawn as written: "$5 to $10" is never math text
        "text.parse_math": False,
    }
)


def _figure(width: float = WIDTH, height: float = HEIGHT):
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return fig, ax


DPI = 200


def _png(fig) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _empty(ax, message: str = "No data in this half-year") -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555555", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def _month_axis(ax) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    for label in ax.get_xticklabels():
        label.set_rotation(0)


def _percentile_lines(ax, percentiles: Mapping[str, float | None], horizontal: bool) -> None:
    for label, value in percentiles.items():
        if value is None or not np.isfinite(value):
            continue
        colour, style = PERCENTILE_STYLES[label]
        text = f"{label} {value:.1f} d"
        if horizontal:
            ax.axhline(value, color=colour, linestyle=style, linewidth=1.3, label=text, zorder=3)
        else:
            ax.axvline(value, color=colour, linestyle=style, linewidth=1.3, label=text, zorder=3)


def velocity_run_chart(week_starts: Sequence[date], velocity: Sequence[int], title: str) -> bytes:
    """Weekly flow velocity with its median (a run chart)."""
    fig, ax = _figure()
    ax.set_title(title)
    if not len(week_starts):
        _empty(ax)
        return _png(fig)
    x = np.array(week_starts, dtype="datetime64[D]")
    y = np.asarray(velocity, dtype=float)
    ax.plot(x, y, marker="o", markersize=3.5, color=CURRENT, linewidth=1.4, label="items finished per week")
    median = float(np.median(y))
    ax.axhline(
        median,
        color=OKABE_ITO["black"],
        linestyle="--",
        linewidth=1.1,
        label=f"median {median:.1f} items/week",
    )
    ax.set_ylabel("Flow velocity (items/week)")
    ax.set_xlabel("Week starting (ISO week, Monday)")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _month_axis(ax)
    ax.legend(loc="upper left")
    return _png(fig)


def flow_time_scatter(
    finished_at: Sequence,
    flow_time_days: Sequence[float],
    item_types: Sequence[str],
    percentiles: Mapping[str, float | None],
    title: str,
    note: str = "",
) -> bytes:
    """Each finished item: when it finished against its flow time, with the p50/p85/p95 lines; ``note``
    says under the plot what was left out."""
    fig, ax = _figure()
    ax.set_title(title)
    if not len(finished_at):
        _empty(ax)
        return _png(fig)
    x = np.array(finished_at, dtype="datetime64[s]")
    y = np.asarray(flow_time_days, dtype=float)
    kinds = np.asarray(item_types, dtype=object)
    for kind, colour in TYPE_COLORS.items():
        mask = kinds == kind
        if mask.any():
            ax.scatter(
                x[mask],
                y[mask],
                s=9,
                alpha=0.7,
                color=colour,
                marker=TYPE_MARKERS[kind],
                linewidths=0.8 if kind == "unmapped" else 0,
                label=f"{kind} ({int(mask.sum())})",
                zorder=2,
            )
    _percentile_lines(ax, percentiles, horizontal=True)
    ax.set_ylabel("Flow time (calendar days)")
    ax.set_xlabel("Finished on (UTC)")
    ax.set_ylim(bottom=0)
    _month_axis(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0, fontsize=7)  # never over a dot
    _note(ax, note)
    return _png(fig)


def _note(ax, note: str) -> None:
    """A line of small print under the plot (what the chart leaves out)."""
    if note:
        ax.annotate(note, xy=(0, -0.22), xycoords="axes fraction", fontsize=7, color="#555555", va="top", wrap=True)


def flow_time_histogram(
    flow_time_days: Sequence[float], percentiles: Mapping[str, float | None], title: str, note: str = ""
) -> bytes:
    """How many finished items took how long, with the p50/p85/p95 lines."""
    fig, ax = _figure()
    ax.set_title(title)
    _note(ax, note)
    values = np.asarray(flow_time_days, dtype=float)
    values = values[np.isfinite(values)]
    if not values.size:
        _empty(ax)
        return _png(fig)
    top = max(1.0, float(np.percentile(values, 99)))
    bins = np.linspace(0, top, 31)
    clipped = np.clip(values, 0, top)
    ax.hist(clipped, bins=bins, color=PREVIOUS, edgecolor="white", linewidth=0.5, label="finished items")
    _percentile_lines(ax, percentiles, horizontal=False)
    ax.set_xlabel("Flow time (calendar days; the last bar holds the slowest 1%)")
    ax.set_ylabel("Finished items (count)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0, fontsize=7)  # never over a bar
    return _png(fig)


def load_vs_velocity(
    weekly_load: Sequence[float],
    weekly_velocity: Sequence[float],
    littles_law: Mapping[str, float | None],
    title: str,
) -> bytes:
    """Little's law view: each week's average flow load against the items finished that week.

    ``littles_law`` holds the half-year's ``load`` (average items in progress), ``velocity_per_day`` and
    ``flow_time_mean_days``; a text box compares load with velocity x flow time.
    """
    fig, ax = _figure()
    ax.set_title(title)
    if not len(weekly_load):
        _empty(ax)
        return _png(fig)
    x = np.asarray(weekly_load, dtype=float)
    y = np.asarray(weekly_velocity, dtype=float)
    order = np.arange(len(x))
    points = ax.scatter(x, y, c=order, cmap="cividis", s=28, edgecolors="black", linewidths=0.4, zorder=3)
    colorbar = fig.colorbar(points, ax=ax, pad=0.01, aspect=25)
    colorbar.set_label("Week of the half-year (1 = first)")
    colorbar.set_ticks([0, len(x) - 1])
    colorbar.set_ticklabels(["1", str(len(x))])
    load, rate, flow_time = (littles_law.get(k) for k in ("load", "velocity_per_day", "flow_time_mean_days"))
    if load is not None and rate is not None and flow_time is not None:
        predicted = rate * flow_time
        ax.text(
            0.98,
            0.04,
            f"Little's law (half-year): average load L = {load:.1f} items\n"
            f"velocity {rate:.2f} items/day x mean flow time {flow_time:.1f} d = {predicted:.1f} items",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7.5,
            bbox={"facecolor": "white", "edgecolor": "#999999", "boxstyle": "round,pad=0.3"},
        )
    ax.set_xlabel("Average flow load in the week (items in progress)")
    ax.set_ylabel("Flow velocity (items/week)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    return _png(fig)


def efficiency_trend(months: Sequence[date], efficiency: Sequence[float | None], half_start: date, title: str) -> bytes:
    """Monthly flow efficiency (active time / flow time of the items finished) over the past 12 months."""
    fig, ax = _figure()
    ax.set_title(title)
    values = np.array([np.nan if v is None else 100 * v for v in efficiency], dtype=float)
    if not len(months) or np.isnan(values).all():
        _empty(ax)
        return _png(fig)
    x = np.array(months, dtype="datetime64[D]")
    ax.axvspan(
        np.datetime64(half_start),
        x.max() + np.timedelta64(31, "D"),
        color="#eeeeee",
        zorder=0,
        label="this half-year",
    )
    ax.plot(
        x,
        values,
        marker="o",
        markersize=4,
        color=OKABE_ITO["bluish_green"],
        linewidth=1.6,
        label="flow efficiency of items finished in the month",
    )
    ax.set_ylabel("Flow efficiency (% of flow time active)")
    ax.set_xlabel("Month finished")
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.legend(loc="lower left")
    return _png(fig)


def distribution_by_month(
    months: Sequence[date],
    shares: Mapping[str, Sequence[float]],
    target: Mapping[str, float] | None,
    title: str,
) -> bytes:
    """Share of each flow item type in the items finished per month (stacked to 100%), beside the target mix."""
    fig, ax = _figure()
    ax.set_title(title)
    if not len(months):
        _empty(ax)
        return _png(fig)
    labels = [m.strftime("%b\n%Y") for m in months]
    columns = [*labels, "Target"] if target else labels
    bottom = np.zeros(len(columns))
    for kind, colour in TYPE_COLORS.items():
        row = list(shares.get(kind, [0.0] * len(months)))
        if target:
            row.append(float(target.get(kind, 0.0)))
        values = np.nan_to_num(np.asarray(row, dtype=float))
        if not values.any():
            continue
        ax.bar(
            columns,
            values,
            bottom=bottom,
            color=colour,
            hatch=TYPE_HATCHES[kind],
            edgecolor="white",
            linewidth=0.6,
            label=kind,
        )
        bottom += values
    if target:
        ax.axvline(len(labels) - 0.5, color="#555555", linewidth=0.8)
    ax.set_ylim(0, 100)
    ax.set_ylabel("Share of items finished (%)")
    ax.set_xlabel(
        "Month finished" + (" / target mix (flow_distribution_targets)" if target else " (no target mix set)")
    )
    ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="x")
    return _png(fig)


def cumulative_flow(
    days: Sequence[date],
    done_cumulative: Sequence[float],
    waiting: Sequence[float],
    active: Sequence[float],
    title: str,
) -> bytes:
    """Cumulative flow diagram: items finished since the half began (cumulative), waiting and active per day."""
    fig, ax = _figure()
    ax.set_title(title)
    if not len(days):
        _empty(ax)
        return _png(fig)
    x = np.array(days, dtype="datetime64[D]")
    ax.stackplot(
        x,
        np.asarray(done_cumulative, dtype=float),
        np.asarray(waiting, dtype=float),
        np.asarray(active, dtype=float),
        labels=["done (cumulative since the half began)", "waiting", "active"],
        colors=[STATE_COLORS["done"], STATE_COLORS["waiting"], STATE_COLORS["active"]],
        alpha=0.9,
        hatch=["", "//", ""],
        edgecolor="white",
        linewidth=0.0,
    )
    ax.set_ylabel("Items (count, end of day UTC)")
    ax.set_xlabel("Day")
    ax.set_ylim(bottom=0)
    _month_axis(ax)
    ax.legend(loc="upper left")
    return _png(fig)


STAGE_COLORS = [
    OKABE_ITO["sky_blue"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["yellow"],
    OKABE_ITO["orange"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["vermillion"],
]
STAGE_HATCHES = ["", "//", "..", "\\\\", "xx", "--"]


def cumulative_flow_by_stage(
    days: Sequence[date],
    bands: Sequence[tuple[str, Sequence[float]]],
    title: str,
    stage_order: Sequence[str] = (),
) -> bytes:
    """Cumulative flow diagram with one band per configured stage: ``bands`` bottom to top (done and canceled
    since the half began first, then the stages from the last to the first), each the items in it at the end
    of each day. The top edge is drawn as the arrivals line (every item followed had arrived by then: open at
    the half's start or created since), the top of the done band is the departures line: their slopes are
    the arrival and departure rates, the vertical gap between them the work in the system."""
    fig, ax = _figure()
    ax.set_title(title)
    if not len(days) or not bands:
        _empty(ax)
        return _png(fig)
    x = np.array(days, dtype="datetime64[D]")
    values = [np.asarray(v, dtype=float) for _, v in bands]
    colours, hatches = [], []
    for label, _ in bands:
        # a stage keeps its colour in every stream's chart: by its place in the configured order
        stage_index = list(stage_order).index(label) if label in stage_order else len(stage_order) + len(colours)
        if label.startswith("done"):
            colours.append(STATE_COLORS["done"])
            hatches.append("")
        elif label.startswith("canceled"):
            colours.append(STATE_COLORS["canceled"])
            hatches.append("xx")
        else:
            colours.append(STAGE_COLORS[stage_index % len(STAGE_COLORS)])
            hatches.append(STAGE_HATCHES[(stage_index // len(STAGE_COLORS)) % len(STAGE_HATCHES)])
    ax.stackplot(
        x,
        *values,
        labels=[label for label, _ in bands],
        colors=colours,
        hatch=hatches,
        alpha=0.9,
        edgecolor="white",
        linewidth=0.0,
    )
    total = np.sum(values, axis=0)
    ax.plot(x, total, color=OKABE_ITO["black"], linewidth=1.6, label="arrivals (cumulative)")
    done = next((v for (label, _), v in zip(bands, values, strict=True) if label.startswith("done")), None)
    if done is not None:
        ax.plot(x, done, color=OKABE_ITO["black"], linewidth=1.0, linestyle="--", label="departures (cumulative)")
    ax.set_ylabel("Items (count, end of day UTC)")
    ax.set_ylim(bottom=0)
    _month_axis(ax)
    # the plot is narrower than the others (legend beside it): months only, the year in the axis title
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b"))
    years = sorted({str(d.year) for d in days})
    ax.set_xlabel(f"Day ({'–'.join([years[0], years[-1]] if len(years) > 1 else years)})")
    # the legend lists the bands top to bottom as they are stacked; outside the plot, never over the data
    handles, labels = ax.get_legend_handles_labels()
    order = list(range(len(bands) - 1, -1, -1)) + list(range(len(bands), len(handles)))
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=7,
        borderaxespad=0,
    )
    return _png(fig)


def aging_wip(
    stages: Sequence[str],
    stage_order: Sequence[str],
    ages: Sequence[float],
    states: Sequence[str],
    sle_days: float | None,
    title: str,
    bands: dict[int, float | None] | None = None,
) -> bytes:
    """Open items by current stage (the configured order) and age, against percentile bands of how long the
    half's finished items took (50/70/85/95, as practitioners read an aging chart) and the SLE (85th).
    Items whose start is unknown (no age) are counted in the legend, not drawn."""
    fig, ax = _figure()
    ax.set_title(title)
    if not len(stages):
        _empty(ax, "No work in progress at the end of the half-year")
        return _png(fig)
    y_all = np.asarray(ages, dtype=float)
    known = ~np.isnan(y_all)
    present = [s for s in stage_order if s in set(stages)] + sorted(set(stages) - set(stage_order))
    position = {s: i for i, s in enumerate(present)}
    rng = np.random.Generator(np.random.PCG64(7))  # fixed jitter: same picture every run
    x = np.array([position[s] for s in stages], dtype=float) + rng.uniform(-0.28, 0.28, len(stages))
    x, y = x[known], y_all[known]
    kinds = np.asarray(states, dtype=object)[known]
    top = max([float(y.max()) if len(y) else 0.0] + [v for v in (bands or {}).values() if v is not None])
    # percentile bands: below p50 most items would be done by now ... above p95 hardly any took this long
    shades = ["#e8f4ea", "#fdf3d9", "#fbe3cc", "#f7d0c8", "#f2b8b0"]
    levels = [0.0] + [v for _, v in sorted((bands or {}).items()) if v is not None] + [top * 1.08 + 1]
    for i, (low, high) in enumerate(zip(levels, levels[1:], strict=False)):
        ax.axhspan(low, high, color=shades[min(i, len(shades) - 1)], zorder=0, linewidth=0)
    for pct, value in sorted((bands or {}).items()):
        if value is not None and pct != 85:
            ax.axhline(value, color="#7a7a7a", linewidth=0.8, linestyle=":", zorder=1)
            ax.annotate(
                f"p{pct} {value:.0f} d",
                (len(present) - 0.45, value),
                fontsize=6,
                color="#555555",
                ha="right",
                va="bottom",
            )
    over = np.zeros(len(y), dtype=bool) if sle_days is None else y > sle_days
    for state, marker in (("active", "o"), ("waiting", "s")):
        for is_over, face in ((False, STATE_COLORS[state]), (True, "none")):
            mask = (kinds == state) & (over == is_over)
            if mask.any():
                ax.scatter(
                    x[mask],
                    y[mask],
                    s=16,
                    marker=marker,
                    facecolors=face,
                    edgecolors=STATE_COLORS[state] if not is_over else OKABE_ITO["vermillion"],
                    linewidths=1.0,
                    zorder=3,
                    label=f"{state}{' - older than SLE' if is_over else ''} ({int(mask.sum())})",
                )
    if sle_days is not None:
        ax.axhline(
            sle_days,
            color=OKABE_ITO["vermillion"],
            linestyle="--",
            linewidth=1.3,
            label=f"SLE: 85% finish within {sle_days:.1f} d",
        )
    unknown = int((~known).sum())
    if unknown:
        ax.plot([], [], " ", label=f"start unknown, not drawn ({unknown})")
    ax.set_xticks(range(len(present)))
    ax.set_xticklabels(present, rotation=30, ha="right")
    ax.set_xlim(-0.6, len(present) - 0.4)
    ax.set_xlabel("Current stage (configured order)")
    ax.set_ylabel("Age since start (calendar days)")
    ax.set_ylim(0, top * 1.08 + 1)
    ax.grid(axis="x")
    # outside the plot: the legend never covers points
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, borderaxespad=0)
    return _png(fig)


def where_work_waits(labels: Sequence[str], shares: Sequence[float], states: Sequence[str], title: str) -> bytes:
    """Share of all flow time spent in each status (stage: status), coloured by flow state. Time in done
    states comes only from items reopened after being done (flow time runs to the last finish): those bars
    are drawn apart, below a line, and explained under the plot."""
    height = max(HEIGHT, 0.9 + 0.2 * len(labels))
    fig, ax = _figure(width=WIDTH * 2, height=height)
    ax.set_title(title)
    if not len(labels):
        _empty(ax)
        return _png(fig)
    order = [i for i, s in enumerate(states) if s != "done"] + [i for i, s in enumerate(states) if s == "done"]
    labels = [labels[i] for i in order]
    shares = [shares[i] for i in order]
    states = [states[i] for i in order]
    done_rows = sum(1 for s in states if s == "done")
    y = np.arange(len(labels))[::-1]
    values = 100 * np.asarray(shares, dtype=float)
    colours = [STATE_COLORS.get(s, OKABE_ITO["grey"]) for s in states]
    hatches = ["//" if s == "waiting" else "" for s in states]
    bars = ax.barh(y, values, color=colours, edgecolor="white")
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    for yi, value in zip(y, values, strict=True):
        ax.text(value + 0.5, yi, f"{value:.0f}%", va="center", fontsize=7.5)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.set_xlabel("Share of the flow time of items finished in the half-year (%)")
    ax.set_xlim(0, max(10.0, float(values.max()) * 1.15))
    ax.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    present = [s for s in STATE_COLORS if s in set(states)]
    handles = [
        plt.Rectangle((0, 0), 1, 1, facecolor=STATE_COLORS[s], edgecolor="white", hatch="//" if s == "waiting" else "")
        for s in present
    ]
    names = [f"{s} state (reopened items)" if s == "done" else f"{s} state" for s in present]
    ax.legend(handles, names, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0, fontsize=7)
    ax.grid(axis="y")
    if done_rows and done_rows < len(labels):
        ax.axhline(done_rows - 0.5, color="#555555", linewidth=0.8, linestyle="--")
    if done_rows:
        _note(
            ax,
            "Below the dashed line: time spent in a done state by items reopened afterwards (an item's flow time "
            "runs from its start to its last finish, so a reopen counts its time in done).",
        )
    return _png(fig)


MAP_RATIO_CAP = 3.0  # the map's colour scale: p85 / policy from 0 to this (white at 1)


def portfolio_map(
    row_labels: Sequence[str],
    stages: Sequence[str],
    p85_days: np.ndarray,
    policy_days: np.ndarray,
    items_passed: np.ndarray,
    configured: np.ndarray,
    title: str,
    items_finished_in: np.ndarray | None = None,
) -> bytes:
    """The two-dimensional value-stream map: configured stages across (in order, empty ones too), customer
    segments and their streams down. A cell is the 85th percentile of the days the half's finished items spent
    in the stage, coloured by how it stands against the stage's policy (blue within, white at, red beyond);
    grey without a policy; hatched where the stage is not one of the stream's."""
    rows, cols = len(row_labels), len(stages)
    lines = max([label.count("\n") + 1 for label in row_labels] or [1])
    height = max(3.0, 1.5 + 0.2 * lines * rows + 0.12 * rows)
    fig, ax = _figure(width=WIDTH * 2, height=height)
    ax.set_title(title)
    p85 = np.asarray(p85_days, dtype=float).reshape(rows, cols)
    if not rows or not cols or np.isnan(p85).all():
        _empty(ax)
        return _png(fig)
    policy = np.asarray(policy_days, dtype=float).reshape(rows, cols)
    passed = np.asarray(items_passed).reshape(rows, cols)
    own = np.asarray(configured, dtype=bool).reshape(rows, cols)
    finished_in = np.zeros((rows, cols), dtype=int) if items_finished_in is None else np.asarray(items_finished_in)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(policy > 0, p85 / policy, np.nan)
    # three times the policy and beyond share the darkest red, so one outlier does not wash out the rest
    norm = mcolors.TwoSlopeNorm(vmin=0.0, vcenter=1.0, vmax=MAP_RATIO_CAP)
    cmap = plt.get_cmap("RdBu_r")
    ax.set_facecolor("white")
    for i in range(rows):
        for j in range(cols):
            box = dict(xy=(j - 0.5, i - 0.5), width=1, height=1)
            if not own[i, j]:
                ax.add_patch(mpatches.Rectangle(**box, facecolor="#f2f2f2", hatch="///", edgecolor="#cccccc"))
                ax.text(j, i, "not a stage\nof this stream", ha="center", va="center", fontsize=6, color="#888888")
                continue
            value = p85[i, j]
            if not np.isfinite(value):
                ax.add_patch(mpatches.Rectangle(**box, facecolor="white", edgecolor="#dddddd"))
                text = (
                    f"done:\n{finished_in[i, j]:,} items\nfinished here"
                    if finished_in[i, j]
                    else "no finished item\npassed it"
                )
                ax.text(j, i, text, ha="center", va="center", fontsize=6.5, color="#555555")
                continue
            if np.isfinite(ratio[i, j]):
                colour = cmap(norm(ratio[i, j]))
                dark = abs(norm(ratio[i, j]) - 0.5) > 0.3
                detail = f"policy {policy[i, j]:g} d · {passed[i, j]:,} items"
            else:
                colour, dark = "#d9d9d9", False
                detail = f"no policy · {passed[i, j]:,} items"
            ax.add_patch(mpatches.Rectangle(**box, facecolor=colour, edgecolor="white", linewidth=1.5))
            ink = "white" if dark else "black"
            ax.text(j, i - 0.12, f"{value:.1f} d", ha="center", va="center", fontsize=8.5, fontweight="bold", color=ink)
            ax.text(j, i + 0.2, detail, ha="center", va="center", fontsize=6, color=ink)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    colorbar = fig.colorbar(mappable, ax=ax, pad=0.01, fraction=0.03, extend="max")
    colorbar.set_label("p85 ÷ policy (1 = at the policy)")
    ax.set_xticks(range(cols))
    ax.set_xticklabels([textwrap.fill(s, 14) for s in stages], fontsize=8)
    ax.set_yticks(range(rows))
    ax.set_yticklabels(row_labels, fontsize=8)
    ax.set_xlabel("Stage (trigger -> value realized)")
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return _png(fig)


def stream_comparison(
    streams: Sequence[str],
    panels: Sequence[tuple[str, Sequence[float | None], Sequence[float | None]]],
    title: str,
) -> bytes:
    """Small multiples: one panel per metric, one bar pair (previous, this half) per stream."""
    height = max(2.8, 1.3 + 0.3 * len(streams))
    fig, axes = plt.subplots(1, len(panels), figsize=(WIDTH * 2, height), layout="constrained", sharey=True)
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=10)
    axes = np.atleast_1d(axes)
    y = np.arange(len(streams))[::-1]
    for ax, (label, current, previous) in zip(axes, panels, strict=True):
        cur = np.array([np.nan if v is None else v for v in current], dtype=float)
        prev = np.array([np.nan if v is None else v for v in previous], dtype=float)
        ax.barh(
            y + 0.2,
            np.nan_to_num(prev),
            height=0.4,
            color=PREVIOUS,
            hatch="//",
            edgecolor="white",
            label="previous half-year",
        )
        ax.barh(y - 0.2, np.nan_to_num(cur), height=0.4, color=CURRENT, label="this half-year")
        for yi, value in zip(y, cur, strict=True):
            if np.isfinite(value):
                ax.text(value, yi - 0.2, f" {value:.3g}", va="center", fontsize=7)
        ax.set_xlabel(label)
        ax.set_yticks(y)
        ax.set_yticklabels(streams)
        ax.grid(axis="y")
        ax.set_xlim(0, max(1e-9, np.nanmax(np.concatenate([cur, prev, [0.0]]))) * 1.25)
    axes[0].legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=7)
    return _png(fig)


SIGNAL_STYLES = {  # XmR detection rule -> (colour, marker, label)
    "beyond_limit": (OKABE_ITO["vermillion"], "D", "beyond a limit"),
    "three_of_four_near_limit": (OKABE_ITO["orange"], "^", "3 of 4 near a limit"),
    "run_of_8": (OKABE_ITO["reddish_purple"], "s", "run of 8 on one side"),
}


def _nan(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def xmr_chart(
    week_starts: Sequence[date],
    values: Sequence[float | None],
    in_half: Sequence[bool],
    center: Sequence[float | None],
    upper: Sequence[float | None],
    lower: Sequence[float | None],
    signals: Sequence[str | None],
    ylabel: str,
    title: str,
) -> bytes:
    """An XmR process behaviour chart: the weekly values (the baseline weeks before the half in grey), the
    half's centre line and natural process limits as steps, and each signal marked by its rule."""
    fig, ax = _figure()
    ax.set_title(title)
    y = _nan(values)
    if not len(week_starts) or np.isnan(y).all():
        _empty(ax)
        return _png(fig)
    x = np.array(week_starts, dtype="datetime64[D]")
    half = np.asarray(in_half, dtype=bool)
    ax.plot(
        x[~half], y[~half], marker="o", markersize=2.8, color=OKABE_ITO["grey"], linewidth=1.0, label="baseline weeks"
    )
    ax.plot(x[half], y[half], marker="o", markersize=3.2, color=CURRENT, linewidth=1.3, label="this half-year")
    limits = {"centre line": (_nan(center), "-"), "natural process limits": (_nan(upper), "--")}
    for label, (line, style) in limits.items():
        if half.any() and np.isfinite(line[half]).any():
            ax.step(
                x[half], line[half], where="mid", color=OKABE_ITO["black"], linestyle=style, linewidth=1.0, label=label
            )
    low = _nan(lower)
    if half.any() and np.isfinite(low[half]).any():
        ax.step(x[half], low[half], where="mid", color=OKABE_ITO["black"], linestyle="--", linewidth=1.0)
    else:
        ax.text(
            1.0,
            -0.32,
            "no limits: fewer than 12 baseline weeks",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=7,
            color="#555555",
        )
    kinds = np.array([s if isinstance(s, str) else "" for s in signals])
    for rule, (colour, marker, label) in SIGNAL_STYLES.items():
        hit = (kinds == rule) & half  # a baseline week's signal is judged by limits not drawn here
        if hit.any():
            ax.scatter(x[hit], y[hit], s=42, marker=marker, color=colour, edgecolor="black", linewidth=0.5, zorder=4,
                       label=label)  # fmt: skip
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Week starting (ISO week, Monday)")
    ax.set_ylim(bottom=0)
    if "items" in ylabel:  # counts: whole-number ticks
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _month_axis(ax)
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=2))
    # below the plot: never over the data
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, fontsize=7)
    return _png(fig)


def outcome_against_flow(
    months: Sequence[date],
    north_star: Sequence[float | None],
    velocity: Sequence[float | None],
    flow_time_p85: Sequence[float | None],
    north_star_label: str,
    half_start: date,
    title: str,
) -> bytes:
    """The north-star metric month by month (top) above the flow that delivered it: velocity as bars and
    flow time p85 as a line (bottom); this half-year shaded."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, HEIGHT * 1.25), layout="constrained", sharex=True)
    top.set_title(title)
    outcome = _nan(north_star)
    if not len(months):
        _empty(top)
        _empty(bottom, "")
        return _png(fig)
    # each month drawn at its middle; this half-year shaded from its first day
    x = np.array(months, dtype="datetime64[D]") + np.timedelta64(14, "D")
    for ax in (top, bottom):
        ax.axvspan(np.datetime64(half_start), x[-1] + np.timedelta64(17, "D"), color="#eeeeee", zorder=0)
    if np.isfinite(outcome).any():
        top.plot(x, outcome, marker="o", markersize=3.5, color=OKABE_ITO["bluish_green"], linewidth=1.5)
    else:
        top.text(
            0.5,
            0.5,
            "No north-star values in business_results.csv",
            ha="center",
            va="center",
            transform=top.transAxes,
            color="#555555",
        )
    label = north_star_label if len(north_star_label) <= 70 else north_star_label[:69] + "…"
    top.set_title(f"{title}\nNorth star: {label}")
    top.set_ylabel("North-star value")
    bottom.bar(x, np.nan_to_num(_nan(velocity)), width=20, color=CURRENT, label="flow velocity (items/month)")
    bottom.set_ylabel("Flow velocity (items)")
    bottom.set_ylim(bottom=0)
    twin = bottom.twinx()
    twin.plot(x, _nan(flow_time_p85), color=OKABE_ITO["vermillion"], linestyle="--", marker="s", markersize=3,
              label="flow time p85 (days)")  # fmt: skip
    twin.set_ylabel("Flow time p85 (days)")
    twin.set_ylim(bottom=0)
    twin.grid(False)
    twin.spines["right"].set_visible(True)
    handles = bottom.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    bottom.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize=7)
    bottom.xaxis.set_major_locator(mdates.MonthLocator(interval=2))
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    return _png(fig)


def revenue_view(
    streams: Sequence[str], revenue: Sequence[float | None], cost: Sequence[float | None], unit: str, title: str
) -> bytes:
    """Revenue and cost of the half-year per stream, earning streams first; a stream without revenue is
    labelled as essential without revenue rather than drawn as a zero."""
    height = max(2.4, 1.2 + 0.42 * len(streams))
    fig, ax = _figure(width=WIDTH * 2, height=height)
    ax.set_title(title)
    rev, cst = _nan(revenue), _nan(cost)
    if not len(streams) or (np.isnan(rev).all() and np.isnan(cst).all()):
        _empty(ax, "No business results in business_results.csv for this half-year")
        return _png(fig)
    y = np.arange(len(streams))[::-1]
    ax.barh(y + 0.2, np.nan_to_num(rev), height=0.4, color=OKABE_ITO["bluish_green"], label=f"revenue ({unit})")
    ax.barh(y - 0.2, np.nan_to_num(cst), height=0.4, color=OKABE_ITO["grey"], hatch="//", edgecolor="white",
            label=f"cost ({unit})")  # fmt: skip
    for yi, r, c in zip(y, rev, cst, strict=True):
        if np.isfinite(r) and r > 0:
            ax.text(r, yi + 0.2, f" {r:,.0f}", va="center", fontsize=7)
        else:
            ax.text(0, yi + 0.2, " essential without revenue", va="center", fontsize=7, style="italic")
        if np.isfinite(c):
            ax.text(c, yi - 0.2, f" {c:,.0f}", va="center", fontsize=7)
    ax.set_yticks(y)
    ax.set_yticklabels(streams)
    ax.set_xlabel(f"Amount in the half-year ({unit})")
    ax.grid(axis="y")
    ax.set_xlim(0, max(1e-9, np.nanmax(np.concatenate([rev, cst, [0.0]]))) * 1.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize=7)
    return _png(fig)
