"""The mapping seeds' value sets the gate's warnings compare raw values with."""

from __future__ import annotations

from pathlib import Path

import duckdb

from expectations.shared import Mappings, label_scope
from flowmart import trackers


def load_mappings(con: duckdb.DuckDBPyConnection, seeds_dir: Path) -> Mappings:
    """Value sets from seeds/status_mappings.csv, seeds/flow_item_types.csv and seeds/label_states.csv,
    read as text, plus the sources seen in raw (a ``*`` seed row covers every source)."""

    def read(name: str, columns: tuple[str, ...]) -> list[tuple]:
        path = seeds_dir / f"{name}.csv"
        if not path.exists():
            return []
        cols = ", ".join(f"lower(trim(coalesce({c}, '')))" for c in columns)
        return con.execute(f"select {cols} from read_csv(?, header = true, all_varchar = true)", [str(path)]).fetchall()

    statuses = read("status_mappings", ("source", "status"))
    types = read("flow_item_types", ("source", "tracker_item_type"))
    seed_sources = {s for s, _ in statuses + types if s and s != "*"}
    known = seed_sources | set(trackers.names())
    observed = {
        row[0]
        for table in ("csv_work_items", "csv_status_changes")
        for row in con.execute(
            f"select distinct lower(trim(source)) from raw.{table} where source is not null"
        ).fetchall()
    }
    every = known | observed

    def keys(rows: list[tuple]) -> frozenset[str]:
        out = set()
        for source, value in rows:
            for s in every if source == "*" else [source]:
                out.add(f"{s}|{value}")
        return frozenset(out) or frozenset({"(none)"})

    labels = read("label_states", ("source", "label"))
    return Mappings(
        status_keys=keys(statuses),
        type_keys=keys(types),
        known_sources=frozenset(known),
        label_keys=keys(labels),
        label_scopes=keys([(source, label_scope(label)) for source, label in labels if label_scope(label)]),
    )
