"""Linear exports: the workspace CSV export (Settings -> Import / Export -> Export CSV).

Header (30 columns; newer exports add UUID, Time in status, Related to, Blocked by, Duplicate of):
``ID, Team, Title, Description, Status, Estimate, Priority, Project ID, Project, Creator, Assignee,
Labels, Cycle Number, Cycle Name, Cycle Start, Cycle End, Created, Updated, Started, Triaged, Completed,
Canceled, Archived, Due Date, Parent issue, Initiatives, Project Milestone ID, Project Milestone,
SLA Status, Roadmaps``. Timestamps are ISO-8601 UTC; labels are joined by ``", "``.

The export does not name the workspace: ``--instance <workspace>`` is required (the URL key, as in
``linear.app/<workspace>``). Columns are matched by name; unknown ones are ignored, missing ones are null.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from flowmart.trackers.spec import DbtModels, Kind, People, RawTable, RefusedFile, Tracker, read_csv_sql

COLUMNS = (
    "ID",
    "Team",
    "Title",
    "Description",
    "Status",
    "Estimate",
    "Priority",
    "Project ID",
    "Project",
    "Creator",
    "Assignee",
    "Labels",
    "Cycle Number",
    "Cycle Name",
    "Cycle Start",
    "Cycle End",
    "Created",
    "Updated",
    "Started",
    "Triaged",
    "Completed",
    "Canceled",
    "Archived",
    "Due Date",
    "Parent issue",
    "Initiatives",
    "Project Milestone ID",
    "Project Milestone",
    "SLA Status",
    "Roadmaps",
    "UUID",
)
REQUIRED = ("ID", "Title", "Status", "Created")


def snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def land_csv(
    con: duckdb.DuckDBPyConnection, path: Path, digest: str, header: list[str], instance: str | None, source_file: str
) -> int:
    """Insert one Linear export into raw.linear_issues; return its row count. Raises RefusedFile on a bad file."""
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RefusedFile(f"Linear export lacks required column(s): {', '.join(missing)}")
    if not instance:
        raise RefusedFile(
            "cannot tell the Linear workspace: the CSV export does not name it (pass --instance <workspace>)"
        )
    present = set(header)
    select_list = ",\n".join(
        (f"nullif(\"{c}\", '') as {snake(c)}" if c in present else f"null::varchar as {snake(c)}") for c in COLUMNS
    )
    con.execute(
        f"""
        insert into raw.linear_issues
        select
            ?::varchar as workspace,
            {select_list},
            ?::varchar as _source_file,
            ?::varchar as _file_hash,
            row_number() over () as _record_position,
            now()::timestamptz as _landed_at
        from {read_csv_sql(header)}
        """,
        [instance, source_file, digest, str(path)],
    )
    rows, blank = con.execute(
        "select count(*), count(*) filter (where id is null or created is null) from raw.linear_issues where _file_hash = ?",
        [digest],
    ).fetchone()
    if blank:
        raise RefusedFile(f"{blank} row(s) with an empty ID or Created")
    return rows


ISSUES = Kind("linear_issues", "linear_issues", land_csv=land_csv)


def recognise_csv(header: list[str]) -> Kind | None:
    columns = set(header)
    if {"ID", "Team", "Title", "Status", "Created"} <= columns and ("Started" in columns or "Completed" in columns):
        return ISSUES
    return None


TRACKER = Tracker(
    name="linear",
    title="Linear",
    description="Linear workspace CSV exports (Settings -> Import / Export -> Export CSV).",
    raw_tables=(
        RawTable(
            "linear_issues",
            "workspace varchar, " + ", ".join(f"{snake(c)} varchar" for c in COLUMNS) + ",",
            suite="expectations.linear__issues",
            people=People(columns=("creator", "assignee")),
        ),
    ),
    kinds=(ISSUES,),
    dbt=DbtModels(work_items="stg_linear__issues", status_changes="int_linear__status_changes"),
    instance_hint="Linear workspace (required for Linear CSV exports)",
    formats_hint="a Linear CSV export (columns ID, Team, Title, Status, Created, Started, ...)",
    recognise_csv=recognise_csv,
)
