"""The tracker list is written once: a fake tracker added through the registry reaches the CLI, landing,
the quality gate, the dbt unions and the data-quality mart, with no other change than its own module
(here: this file), its staging models and its suite.

Real things throughout: a DuckDB file in a tmp dir, real landing, the real GX gate, a real `dbt build`
of a copy of the project with the fake tracker's staging models added.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pytest

from expectations.shared import QUARANTINE, WARNING, GateSettings, Mappings, expect, suite, text
from flowmart import trackers
from flowmart.cli import build_parser
from flowmart.dbt import DbtSettings, invoke_dbt
from flowmart.trackers.spec import DbtModels, Kind, KindSql, RawTable, Tracker

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
AS_OF = "2026-03-31 00:00:00"

# --- the fake tracker's module: what a new tracker declares ---------------------------------------------

TICKET_TYPE = """{"ticket_id": "VARCHAR", "title": "VARCHAR", "state": "VARCHAR", "created": "VARCHAR",
                  "resolved": "VARCHAR", "url": "VARCHAR"}"""


def tickets_sql() -> KindSql:
    prepare = (
        f"create or replace temp table _acme as select pos, json_transform(doc, '{TICKET_TYPE}') as t from _doc",
    )
    validate = """
        select case when (select count(*) from _acme where t.ticket_id is null) > 0
            then 'ticket at position ' || (select min(pos) from _acme where t.ticket_id is null) || ' has no ticket_id'
        end
    """
    insert = """
        insert into raw.acme_tickets
        select coalesce($instance, regexp_extract(t.url, '^https?://([^/]+)', 1)), t.ticket_id, t.title, t.state,
               t.created, t.resolved, $source_file, $file_hash, pos, now()::timestamptz
        from _acme
    """
    return KindSql(None, prepare, validate, (insert,), ("_acme",))


TICKETS = Kind("acme_tickets", "acme_tickets", sql=tickets_sql)

FAKE = Tracker(
    name="acme",
    title="Acme Tickets",
    description="Acme ticket lists (a fake tracker of the registry test).",
    raw_tables=(
        RawTable(
            "acme_tickets",
            """
            instance varchar, ticket_id varchar, title varchar, state varchar, created varchar, resolved varchar,
        """,
            suite=__name__,
        ),
    ),
    kinds=(TICKETS,),
    dbt=DbtModels(work_items="stg_acme__tickets", status_changes="stg_acme__status_changes"),
    instance_hint="Acme host",
    formats_hint="an Acme ticket list (a JSON array of objects with ticket_id)",
    recognise_json=lambda container, keys, item_keys: (
        TICKETS if container == "array" and "ticket_id" in item_keys else None
    ),
)

# --- its expectation suite (the gate imports this module by the name RawTable.suite gives) ---------------

TABLE = "acme_tickets"
SUITE_NAME = "acme__tickets"


def frame_sql(settings: GateSettings) -> str:
    return f"""
    select _file_hash, _record_position, {text("ticket_id")} as ticket_id, {text("state")} as state
    from raw.acme_tickets
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    return suite(
        SUITE_NAME,
        [
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "ticket_id_present",
                "ticket has no id",
                column="ticket_id",
            ),
            expect(gxe.ExpectColumnValuesToNotBeNull, WARNING, "state_present", "ticket has no state", column="state"),
        ],
    )


# --- its staging models ------------------------------------------------------------------------------

SOURCES_YML = """version: 2

sources:
  - name: acme
    schema: raw
    tables:
      - name: acme_tickets
"""

WORK_ITEMS_SQL = """
with

tickets as (select * from {{ source('acme', 'acme_tickets') }}),

final as (
    select
        'acme:' || instance || ':' || ticket_id as work_item_id,
        'acme' as source,
        instance,
        ticket_id as item_key,
        ticket_id as source_item_id,
        title,
        'Ticket' as tracker_item_type,
        cast(null as boolean) as is_subtask,
        instance as project_key,
        cast(null as varchar) as project_name,
        cast(null as varchar) as components,
        cast(null as varchar) as labels,
        cast(null as varchar) as area_path,
        cast(null as varchar) as parent_key,
        state as current_status,
        case when state = 'done' then 'done' else 'new' end as current_status_category,
        cast(null as varchar) as resolution,
        {{ to_utc_timestamp('resolved') }} as resolved_at,
        {{ to_utc_timestamp('created') }} as created_at,
        {{ to_utc_timestamp('created') }} as updated_at,
        cast(null as integer) as history_expected_count,
        cast(null as integer) as history_landed_count,
        cast(_landed_at as timestamp) as _landed_at
    from tickets
)

select * from final
"""

STATUS_CHANGES_SQL = """
with

tickets as (select * from {{ source('acme', 'acme_tickets') }}),

final as (
    select
        'acme:' || instance || ':' || ticket_id as work_item_id,
        'resolved' as change_id,
        {{ to_utc_timestamp('resolved') }} as changed_at,
        'open' as from_status,
        state as to_status,
        1 as copies_landed,
        cast(_landed_at as timestamp) as _landed_at
    from tickets
    where resolved is not null
)

select * from final
"""


@pytest.fixture
def fake_tracker():
    trackers.register(FAKE)
    try:
        yield FAKE
    finally:
        trackers.unregister(FAKE.name)


def make_project(root: Path) -> Path:
    """A copy of the dbt project with the fake tracker's staging models added."""
    project = root / "project"
    for name in ("models", "macros", "data-tests", "seeds"):
        shutil.copytree(REPO / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / name, project / name)
    staging = project / "models" / "staging" / "acme"
    staging.mkdir()
    (staging / "_acme__sources.yml").write_text(SOURCES_YML)
    (staging / "stg_acme__tickets.sql").write_text(WORK_ITEMS_SQL)
    (staging / "stg_acme__status_changes.sql").write_text(STATUS_CHANGES_SQL)
    return project


def test_a_registered_tracker_reaches_the_cli_landing_the_gate_and_the_unions(fake_tracker, tmp_path):
    # the CLI offers it
    land_parser = build_parser()._subparsers._group_actions[0].choices["land"]
    source = next(a for a in land_parser._actions if a.dest == "source")
    assert "acme" in source.choices

    # landing recognises its files (no --source) and lands them in its raw table
    page = tmp_path / "tickets.json"
    page.write_text(
        json.dumps(
            [
                {
                    "ticket_id": "T-1",
                    "title": "First",
                    "state": "done",
                    "created": "2026-03-01T09:00:00Z",
                    "resolved": "2026-03-04T21:00:00Z",
                    "url": "https://acme.example/t/1",
                },
                {
                    "ticket_id": "T-2",
                    "title": "Second",
                    "state": "open",
                    "created": "2026-03-02T09:00:00Z",
                    "resolved": None,
                    "url": "https://acme.example/t/2",
                },
            ]
        )
    )
    db = tmp_path / "w.duckdb"
    from flowmart.cli import main

    assert main(["land", "--db", str(db), "-q", str(page)]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select kind, rows from raw.landing_log").fetchall() == [("acme_tickets", 2)]
        assert con.execute("select rows from raw.landed_rows where source_table = 'acme_tickets'").fetchall() == [(2,)]

    # the gate runs its suite
    from flowmart.gate import run_gate

    with duckdb.connect(str(db)) as con:
        report = run_gate(con)
    assert report.rows_checked["acme_tickets"] == 2 and not report.failed
    assert "acme__tickets.ticket_id_present" in {o.name for o in report.outcomes}

    # the dbt unions read it from the registry: its items and changes reach the marts
    project = make_project(tmp_path)
    # the whole build, unit tests included: they name their own trackers, so a new one changes none of them
    result = invoke_dbt(db, ["build"], DbtSettings(as_of=AS_OF, project_dir=project, target_path=project / "target"))
    assert result.success, "dbt build failed (see the log above)"
    with duckdb.connect(str(db), read_only=True) as con:
        items = con.execute(
            "select item_key, current_flow_state, finished_at::varchar from marts.fct_work_items "
            "where source = 'acme' order by item_key"
        ).fetchall()
        landed = con.execute(
            "select affected_count, checked_count from marts.fct_data_quality "
            "where source = 'acme' and check_name = 'quarantined_row'"
        ).fetchall()
    # T-1 went open -> done at its resolution, 2026-03-04 21:00 UTC; T-2 is still open (new)
    assert items == [("T-1", "done", "2026-03-04 21:00:00"), ("T-2", "new", None)]
    assert landed == [(0, 2)]  # of the 2 rows landed in its format, none quarantined


def test_register_refuses_a_second_tracker_of_a_name_or_a_table(fake_tracker):
    with pytest.raises(ValueError, match="registered already"):
        trackers.register(FAKE)
    twin = Tracker(**{**FAKE.__dict__, "name": "acme2"})
    with pytest.raises(ValueError, match="belong to another tracker"):
        trackers.register(twin)
