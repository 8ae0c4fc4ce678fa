"""The HTML review's interactive charts: Vega-Lite specs built with altair, drawn in the browser by vega-embed.

Each stream section (and the portfolio) gets one *explorer*: the flow-time scatter (each dot a finished
item) beside aging WIP (each dot an open item), sharing

* hover: a tooltip with the item's key, title, type, stream, dates, flow time or age and stage;
* two drop-downs, stream (the portfolio only) and flow item type, that filter both charts and the item table;
* click: a dot filters both charts and the item table to its stream and type (the drop-downs follow);
  a double-click shows everything again.

The JavaScript (vega, vega-lite, vega-embed and their dependencies) comes from the ``vl-convert-python``
wheel, which bundles those libraries (``vl_convert.javascript_bundle``): it is inlined once into the HTML,
so the file opens offline and asks nothing of any network (docs/adr/0070-interactive-charts-vega-lite-inlined.md).
The PDF keeps the Matplotlib PNGs of the same charts.
"""

from __future__ import annotations

import functools
import json
import math
import random

import altair as alt
import pandas as pd

from flowmart.report.charts import OKABE_ITO, TYPE_COLORS
from flowmart.report.data import FLOW_ITEM_TYPES

WIDTH, HEIGHT = 470, 260
EVERY = "all"  # the drop-downs' "no filter" value
TYPES = (*FLOW_ITEM_TYPES, "unmapped")
PERCENTILE_COLOURS = {"p50": OKABE_ITO["black"], "p85": OKABE_ITO["vermillion"], "p95": OKABE_ITO["reddish_purple"]}


def _day(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _number(value, decimals: int = 1) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value), decimals)


def finished_records(finished: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    """One record per finished item with a flow time (the scatter's dots)."""
    return [
        {
            "key": str(r.item_key),
            "title": "" if pd.isna(r.title) else str(r.title)[:90],
            "type": str(r.flow_item_type),
            "stream": str(r.value_stream_id),
            "stream_name": names.get(str(r.value_stream_id), str(r.value_stream_id)),
            "started": _day(r.started_at),
            "finished": _day(r.finished_at),
            "finished_day": _day(r.finished_at),  # parsed as a date by the x axis (the tooltip keeps the text)
            "flow_time_days": _number(r.flow_time_days),
        }
        for r in finished.itertuples()
    ]


def wip_records(wip: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    """One record per open item whose start is known (aging WIP's dots; the unknown ones are not aged)."""
    return [
        {
            "key": str(r.item_key),
            "title": "" if pd.isna(r.title) else str(r.title)[:90],
            "type": str(r.flow_item_type),
            "stream": str(r.value_stream_id),
            "stream_name": names.get(str(r.value_stream_id), str(r.value_stream_id)),
            "stage": "(no stage)" if pd.isna(r.current_stage) else str(r.current_stage),
            "status": "" if pd.isna(r.current_status) else str(r.current_status),
            "state": "" if pd.isna(r.current_flow_state) else str(r.current_flow_state),
            "started": _day(r.started_at),
            "age_days": _number(r.age_days),
        }
        for r in wip.itertuples()
        if not pd.isna(r.age_days)
    ]


# A half-year of a large portfolio has hundreds of thousands of items: the explorer draws at most this many
# dots of each kind per stream, a sample, so the one-file HTML does not grow with the number of items (at 1M
# items it was 229 MB). Every figure and line of the review still comes from all of them.
MAX_FINISHED = 2_000
MAX_WIP = 1_000


def sampled(records: list[dict], limit: int, seed: str) -> list[dict]:
    """At most ``limit`` of ``records``: all of them when they are fewer, else a random sample drawn with a
    seed from ``seed`` (the same sample each time the report is written), in their original order."""
    if len(records) <= limit:
        return records
    keep = sorted(random.Random(seed).sample(range(len(records)), limit))
    return [records[i] for i in keep]


def _top(values, lines) -> float:
    """The upper end of a value axis: the largest value or line, 5% headroom, at least 1."""
    known = [float(v) for v in [*values, *lines] if v is not None]
    return round(max([1.0, *known]) * 1.05, 1)


def _filter() -> str:
    return f"(stream_pick == '{EVERY}' || datum.stream == stream_pick) && (type_pick == '{EVERY}' || datum.type == type_pick)"


def explorer_spec(
    finished: list[dict],
    wip: list[dict],
    stage_order: list[str],
    percentiles: dict[str, float | None],
    bands: dict[int, float | None],
    names: dict[str, str],
    title: str,
    period: tuple[str, str] = ("2000-01-01", "2000-01-02"),
) -> dict:
    """The scatter and aging charts side by side with the shared stream and type drop-downs (a Vega-Lite spec as
    a dict); the embedding script (``EMBED``) sets them on a click on a dot."""
    streams = sorted({r["stream"] for r in finished + wip})
    types = [t for t in TYPES if any(r["type"] == t for r in finished + wip)]
    # a drop-down of streams where there is more than one (the portfolio); else a fixed "every stream"
    stream_bind = {}
    if len(streams) > 1:
        stream_bind["bind"] = alt.binding_select(
            options=[EVERY, *streams],
            labels=["every stream", *[names.get(s, s) for s in streams]],
            name="Value stream ",
        )
    stream_pick = alt.param(name="stream_pick", value=EVERY, **stream_bind)
    type_pick = alt.param(
        name="type_pick",
        value=EVERY,
        bind=alt.binding_select(options=[EVERY, *types], labels=["every type", *types], name="Flow item type "),
    )
    scatter_points = _dots(
        finished,
        # fixed domains (the half; up to the longest item or line): axes stay put while the filters change,
        # and a filter leaving no dot gives no infinite extent
        x=alt.X(
            "finished_day:T",
            title="Finished (day)",
            axis=alt.Axis(format="%b %Y"),
            scale=alt.Scale(domain=list(period)),
        ),
        y=("flow_time_days", "Flow time (calendar days)", percentiles.values()),
        tooltip=[
            alt.Tooltip("started:N", title="Started"),
            alt.Tooltip("finished:N", title="Finished"),
            alt.Tooltip("flow_time_days:Q", title="Flow time (days)", format=".1f"),
        ],
    )
    lines = [
        {
            "label": f"{name} {value:.1f} d",
            "value": value,
            "colour": PERCENTILE_COLOURS[name],
            "text_colour": PERCENTILE_COLOURS[name],
        }
        for name, value in percentiles.items()
        if value is not None
    ]
    scatter = scatter_points
    if lines and finished:
        scatter = alt.layer(scatter_points, *_reference_lines(lines, [4, 3], "Percentile of the half's flow times"))
    scatter = scatter.properties(
        width=WIDTH,
        height=HEIGHT,
        title="Flow time of finished items (hover a dot: the item; click: only its stream and type)",
    )

    present = [s for s in stage_order if any(r["stage"] == s for r in wip)]
    present += sorted({r["stage"] for r in wip} - set(present))
    aging_points = _dots(
        wip,
        x=alt.X("stage:N", title="Current stage (configured order)", sort=present, axis=alt.Axis(labelAngle=-30)),
        y=("age_days", "Age since start (calendar days)", bands.values()),
        tooltip=[
            alt.Tooltip("stage:N", title="Stage"),
            alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("started:N", title="Started"),
            alt.Tooltip("age_days:Q", title="Age (days)", format=".1f"),
        ],
        jitter=True,
    )
    band_rows = [
        {"label": f"p{p} {v:.0f} d", "value": v, "colour": "#7a7a7a", "text_colour": "#555555"}
        for p, v in sorted(bands.items())
        if v is not None
    ]
    aging = aging_points
    if band_rows and wip:
        aging = alt.layer(aging_points, *_reference_lines(band_rows, [2, 2], "Of the half's finished items"))
    aging = aging.properties(
        width=WIDTH, height=HEIGHT, title="Aging WIP at the half's end (50/70/85/95th percentiles)"
    )

    return _concat(scatter, aging, stream_pick, type_pick, title)


def _dots(records: list[dict], x, y: tuple, tooltip: list, jitter: bool = False) -> alt.Chart:
    """One dot per item of ``records`` (finished or open) that the drop-downs keep, coloured and shaped by
    flow item type; ``y`` is (field, title, reference values): its axis runs from 0 to above the longest
    item or line. The tooltip starts with the item (key, title, type, stream), then ``tooltip``."""
    field, title, references = y
    chart = (
        alt.Chart(alt.Data(values=records or [{"key": None}]))
        .mark_point(filled=True, size=36)
        .transform_filter("datum.key != null")
        .transform_filter(_filter())
    )
    encoding = {}
    if jitter:  # dots of one stage spread across its band
        chart = chart.transform_calculate(jitter="(random() - 0.5) * 0.6")
        encoding["xOffset"] = alt.XOffset("jitter:Q", scale=alt.Scale(domain=[-0.5, 0.5]))
    return chart.encode(
        x=x,
        y=alt.Y(f"{field}:Q", title=title, scale=alt.Scale(domain=[0, _top([r[field] for r in records], references)])),
        color=alt.Color(
            "type:N",
            title="Flow item type",
            scale=alt.Scale(domain=list(TYPES), range=[TYPE_COLORS[t] for t in TYPES]),
            legend=alt.Legend(orient="bottom"),
        ),
        # the same field, title and legend as the colour: one legend with both (colour-blind and greyscale safe)
        shape=alt.Shape(
            "type:N", title="Flow item type", scale=alt.Scale(domain=list(TYPES)), legend=alt.Legend(orient="bottom")
        ),
        opacity=alt.value(0.8),
        tooltip=[
            alt.Tooltip("key:N", title="Item"),
            alt.Tooltip("title:N", title="Title"),
            alt.Tooltip("type:N", title="Type"),
            alt.Tooltip("stream_name:N", title="Stream"),
            *tooltip,
        ],
        **encoding,
    )


def _reference_lines(rows: list[dict], dash: list[int], meaning: str) -> tuple[alt.Chart, alt.Chart]:
    """Dashed horizontal rules at each row's ``value`` in its ``colour``, and their ``label`` at the left
    edge in its ``text_colour``; hovering a rule says what it is (``meaning``)."""
    rules = (
        alt.Chart(alt.Data(values=rows))
        .mark_rule(strokeDash=dash)
        .encode(
            y="value:Q",
            stroke=alt.Stroke("colour:N", scale=None),
            tooltip=[alt.Tooltip("label:N", title=meaning)],
        )
    )
    labels = rules.mark_text(align="left", dx=3, dy=-5, fontSize=9).encode(
        text="label:N", x=alt.value(0), y="value:Q", fill=alt.Fill("text_colour:N", scale=None), stroke=alt.value(None)
    )
    return rules, labels


def _concat(scatter, aging, stream_pick, type_pick, title: str) -> dict:
    chart = (
        alt.hconcat(scatter, aging, title=title)
        .add_params(stream_pick, type_pick)
        .resolve_scale(color="shared", shape="shared")
        .configure_view(strokeWidth=0)
        .configure_axis(labelFontSize=10, titleFontSize=10)
        .configure_title(fontSize=12, anchor="start")
    )
    return chart.to_dict(validate=False)


def spec_json(spec: dict) -> str:
    """The spec for a <script type="application/json"> tag: '</' can never close the tag early."""
    return json.dumps(spec, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")


# Embeds every explorer of the page, keeps its item table in step with the drop-downs, and turns a click on a dot
# into the drop-downs' values.
EMBED = r"""
const tableFilter = (table, stream, type) => {
  if (!table) return;
  let shown = 0;
  for (const row of table.tBodies[0].rows) {
    const ok = (stream === "all" || row.dataset.stream === stream) && (type === "all" || row.dataset.type === type);
    row.hidden = !ok;
    if (ok) shown += 1;
  }
  const count = document.getElementById(table.dataset.count);
  if (count) count.textContent = String(shown);
};
for (const holder of document.querySelectorAll("div.explore[data-spec]")) {
  const spec = JSON.parse(document.getElementById(holder.dataset.spec).textContent);
  vegaEmbed(holder, spec, { actions: false, renderer: "svg", tooltip: { theme: "light" } }).then((result) => {
    const view = result.view;
    const table = document.getElementById(holder.dataset.table);
    const update = () => tableFilter(table, view.signal("stream_pick"), view.signal("type_pick"));
    for (const name of ["stream_pick", "type_pick"]) view.addSignalListener(name, update);
    // a click on an item's dot filters both charts and the table to its stream and type (the drop-downs follow);
    // a double-click anywhere shows everything again
    const pick = (stream, type) => view.signal("stream_pick", stream).signal("type_pick", type).runAsync();
    view.addEventListener("click", (event, item) => {
      const datum = item && item.datum;
      if (datum && datum.key && datum.stream) pick(datum.stream, datum.type);
    });
    view.addEventListener("dblclick", () => pick("all", "all"));
    holder.dataset.ready = "yes";
  }).catch((error) => { holder.dataset.ready = "failed"; console.error(error); });
}
"""


@functools.lru_cache(maxsize=1)
def javascript() -> str:
    """vega, vega-lite, vega-embed (the versions altair targets) and the embedding code above, as one script."""
    import vl_convert

    version = alt.SCHEMA_VERSION.rsplit(".", 1)[0]  # e.g. v6.4 of v6.4.1
    bundle = vl_convert.javascript_bundle(EMBED, vl_version=version)
    return bundle.replace("</script", "<\\/script")
