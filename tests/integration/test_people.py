"""Personal data: `flowmart land --drop-people` and `flowmart forget-people` leave no person in raw, and the
marts built from the pseudonymised rows are the same as without (assignment still starts GitHub work).

The people are read from the fixtures themselves (every login, username, display name, email, unique name
and account id they hold, and the Linear export's Creator and Assignee columns), not from Flowmart's output.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flowmart import trackers
from flowmart.dbt import DbtSettings, invoke_dbt
from flowmart.landing import land

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
AS_OF = "2026-03-20 00:00:00"
PERSON_KEYS = {"login", "username", "displayName", "emailAddress", "uniqueName", "accountId"}


def people_in_fixtures() -> set[str]:
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in PERSON_KEYS and isinstance(inner, str) and len(inner) > 3:
                    found.add(inner)
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for path in FIXTURES.glob("*/**/*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    with (FIXTURES / "linear" / "Linear export 2026-03-07.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found.update(v for v in (row["Creator"], row["Assignee"]) if v)
    return found


def raw_text(db: Path) -> str:
    """Every raw row (and quarantined record) of every tracker table, as JSON text."""
    with duckdb.connect(str(db), read_only=True) as con:
        parts = [
            str(con.execute(f"select list(to_json(t)) from raw.{table.name} as t").fetchone()[0])
            for table in trackers.raw_tables()
        ]
        parts.append(str(con.execute("select list(record) from raw.quarantine").fetchone()[0]))
    return "\n".join(parts)


def land_fixtures(db: Path, drop_people: bool) -> None:
    kwargs = {"drop_people": drop_people}
    results = land(db, [FIXTURES / "github", FIXTURES / "gitlab", FIXTURES / "azure"], **kwargs)
    results += land(db, [FIXTURES / "linear"], instance="acme-mobility", **kwargs)
    results += land(db, [FIXTURES / "jira_demo_sample"], **kwargs)
    assert all(r.status == "landed" for r in results), [r.line() for r in results if r.status != "landed"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("people-project")
    for name in ("models", "macros", "data-tests", "seeds"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / name, root / name)
    return root


def build(db: Path, project: Path) -> None:
    result = invoke_dbt(db, ["build"], DbtSettings(as_of=AS_OF, project_dir=project, target_path=project / "target"))
    assert result.exception is None and result.success, result.exception


LIFECYCLE = """
    select work_item_id, flow_item_type, current_flow_state, started_at, finished_at, flow_time_days, active_days
    from marts.fct_work_items order by work_item_id
"""


def test_dropped_people_leave_no_trace_and_the_same_marts(tmp_path, project):
    people = people_in_fixtures()
    assert len(people) > 20  # Jira's team, GitHub logins, Azure identities, Linear emails
    plain, dropped = tmp_path / "plain.duckdb", tmp_path / "dropped.duckdb"
    land_fixtures(plain, drop_people=False)
    land_fixtures(dropped, drop_people=True)

    kept = raw_text(plain)
    # raw keeps most of them by default (history authors are not landed at all)
    assert len({p for p in people if p in kept}) > 20
    text = raw_text(dropped)
    assert sorted(p for p in people if p in text) == []
    # the key lives beside the warehouse, readable by its owner only
    key = tmp_path / ".dropped.duckdb.people-key"
    assert key.stat().st_mode & 0o777 == 0o600

    build(plain, project)
    build(dropped, project)
    with duckdb.connect(str(plain), read_only=True) as a, duckdb.connect(str(dropped), read_only=True) as b:
        assert a.execute(LIFECYCLE).fetchall() == b.execute(LIFECYCLE).fetchall()
        # github #103: assigned 03-10 08:00 starts its work, pseudonymised or not
        assert b.execute(
            "select started_at::varchar from marts.fct_work_items where item_key = '103' and source = 'github'"
        ).fetchall() == [("2026-03-10 08:00:00",)]


def test_forget_people_pseudonymises_what_was_landed_before(tmp_path):
    db = tmp_path / "w.duckdb"
    land_fixtures(db, drop_people=False)
    with duckdb.connect(str(db), read_only=True) as con:
        logins = con.execute(
            "select actor_login from raw.github_issue_events where actor_login is not null order by event_id"
        ).fetchall()
    result = subprocess.run(
        [sys.executable, "-m", "flowmart.cli", "forget-people", "--db", str(db)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "rows pseudonymised" in result.stderr
    people = people_in_fixtures()
    assert sorted(p for p in people if p in raw_text(db)) == []
    with duckdb.connect(str(db), read_only=True) as con:
        after = con.execute(
            "select actor_login from raw.github_issue_events where actor_login is not null order by event_id"
        ).fetchall()
    # one pseudonym per person: as many distinct values as before, each person-<12 hex>
    assert len(set(after)) == len(set(logins))
    assert all(value.startswith("person-") and len(value) == 19 for (value,) in after)
    # a second run changes nothing (pseudonyms are not hashed again)
    before = raw_text(db)
    assert (
        subprocess.run(
            [sys.executable, "-m", "flowmart.cli", "forget-people", "--db", str(db)], capture_output=True
        ).returncode
        == 0
    )
    assert raw_text(db) == before
