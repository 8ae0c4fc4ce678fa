"""The mapping seeds' value sets the gate's warnings compare raw values with."""

from __future__ import annotations

from pathlib import Path

import duckdb

from expectations.shared import Mappings, jira_status_row, label_scope
from flowmart import trackers

CATEGORIES = "('new', 'indeterminate', 'done')"


def load_mappings(con: duckdb.DuckDBPyConnection, seeds_dir: Path) -> Mappings:
    """Value sets from seeds/status_mappings.csv, seeds/flow_item_types.csv, seeds/label_states.csv and
    seeds/value_streams.csv, read as text, plus the sources seen in raw (a ``*`` seed row covers every source)."""

    def read(name: str, columns: tuple[str, ...]) -> list[tuple]:
        path = seeds_dir / f"{name}.csv"
        if not path.exists():
            return []
        cols = ", ".join(f"lower(trim(coalesce({c}, '')))" for c in columns)
        return con.execute(f"select {cols} from read_csv(?, header = true, all_varchar = true)", [str(path)]).fetchall()

    statuses = read("status_mappings", ("source", "status"))
    types = read("flow_item_types", ("source", "tracker_item_type")) + jira_type_names_by_id(
        con, seeds_dir / "flow_item_types.csv"
    )
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
    jira_mapped, jira_known = jira_status_rows(con, seeds_dir / "status_mappings.csv")
    streams = read("value_streams", ("value_stream_id", "north_star_metric"))  # lower case, trimmed
    return Mappings(
        value_streams=frozenset(read_value_stream_ids(con, seeds_dir)),
        north_star_keys=frozenset(f"{stream_id}|{metric}" for stream_id, metric in streams if stream_id and metric),
        jira_status_rows_mapped=jira_mapped,
        jira_status_rows_known=jira_known,
        status_keys=keys(statuses),
        type_keys=keys(types),
        known_sources=frozenset(known),
        label_keys=keys(labels),
        label_scopes=keys([(source, label_scope(label)) for source, label in labels if label_scope(label)]),
    )


def read_value_stream_ids(con: duckdb.DuckDBPyConnection, seeds_dir: Path) -> list[str]:
    """The value_stream_id values of seeds/value_streams.csv as the models read them (trimmed, case kept)."""
    path = seeds_dir / "value_streams.csv"
    if not path.exists():
        return []
    return [
        stream_id
        for (stream_id,) in con.execute(
            "select distinct trim(value_stream_id) from read_csv(?, header = true, all_varchar = true) "
            "where nullif(trim(value_stream_id), '') is not null",
            [str(path)],
        ).fetchall()
    ]


def seed_header(con: duckdb.DuckDBPyConnection, seed: Path) -> set[str]:
    """The column names of a seed file (lower case): older seed files lack the columns mapping by id added."""
    relation = con.execute("select * from read_csv(?, header = true, all_varchar = true) limit 0", [str(seed)])
    return {column[0].lower() for column in relation.description}


def any_instance(column: str) -> str:
    """A seed row's instance as the models read it: empty or ``*`` is '*' (every instance)."""
    return f"case when trim(coalesce({column}, '')) in ('', '*') then '*' else trim({column}) end"


def jira_status_rows(con: duckdb.DuckDBPyConnection, seed: Path) -> tuple[frozenset[str], frozenset[str]]:
    """The Jira statuses landed in raw (by instance, id and name), as the gate's suites write them
    (:func:`expectations.shared.jira_status_row`): those a status_mappings row covers or that have no
    category (the 'mapped' check leaves them to the 'known' one), and those a row covers or that have a
    category. A row covers a status as int_statuses_mapped matches it: by status_id when the row has one,
    else by name ignoring case and spaces; for its instance (empty or ``*``: every instance); a
    ``unknown`` flow state covers nothing."""
    if not seed.exists():
        return frozenset(), frozenset()
    header = seed_header(con, seed)
    instance = "instance" if "instance" in header else "null"
    status_id = "status_id" if "status_id" in header else "null"
    row = jira_status_row("observed.instance", "observed.status_id", "observed.status")
    rows = con.execute(
        f"""
        with observed as (
            select instance, to_value as status_id, to_string as status
            from raw.jira_changelog_items where field = 'status'
            union
            select instance, from_value, from_string
            from raw.jira_changelog_items where field = 'status'
            union
            select instance, status_id, status_name from raw.jira_issues
        ),
        seed_rows as (
            select
                {any_instance(instance)} as instance,
                nullif(trim({status_id}), '') as status_id,
                lower(trim(status)) as status_key
            from read_csv(?, header = true, all_varchar = true)
            where lower(trim(coalesce(source, ''))) in ('jira', '*')
                and lower(trim(coalesce(flow_state, ''))) <> 'unknown'
        ),
        categorised as (
            select instance, status_id from raw.jira_statuses where lower(status_category_key) in {CATEGORIES}
            union
            select instance, status_id from raw.jira_issues where lower(status_category_key) in {CATEGORIES}
        )
        select
            {row} as status_row,
            exists (
                select 1 from seed_rows
                where (seed_rows.instance = '*' or seed_rows.instance = observed.instance)
                    and (
                        (seed_rows.status_id is not null and seed_rows.status_id = observed.status_id)
                        or (seed_rows.status_id is null and seed_rows.status_key = lower(trim(observed.status)))
                    )
            ) as is_covered,
            exists (
                select 1 from categorised
                where categorised.instance = observed.instance and categorised.status_id = observed.status_id
            ) as has_category
        from observed
        where {row} is not null
        """,
        [str(seed)],
    ).fetchall()
    mapped = frozenset(r for r, covered, category in rows if covered or not category)
    known = frozenset(r for r, covered, category in rows if covered or category)
    return mapped, known


def jira_type_names_by_id(con: duckdb.DuckDBPyConnection, seed: Path) -> list[tuple[str, str]]:
    """('jira', issue type name) for every landed Jira issue whose issue type id a flow_item_types row names:
    the gate's type check is by name, and a row by id covers the type under any name."""
    if not seed.exists():
        return []
    header = seed_header(con, seed)
    if "tracker_item_type_id" not in header:
        return []
    instance = "instance" if "instance" in header else "null"
    return con.execute(
        f"""
        with seed_rows as (
            select
                {any_instance(instance)} as instance,
                trim(tracker_item_type_id) as type_id
            from read_csv(?, header = true, all_varchar = true)
            where lower(trim(coalesce(source, ''))) in ('jira', '*')
                and nullif(trim(tracker_item_type_id), '') is not null
        )
        select distinct 'jira', lower(trim(issues.issue_type))
        from raw.jira_issues as issues
        inner join seed_rows
            on (seed_rows.instance = '*' or seed_rows.instance = issues.instance)
            and seed_rows.type_id = issues.issue_type_id
        where issues.issue_type is not null
        """,
        [str(seed)],
    ).fetchall()
