"""Personal data in raw: what the trackers' exports name, and ``--drop-people``.

Tracker exports name people: assignees, reporters, authors of events (logins, display names, account ids,
emails). Flowmart's marts never carry them, but ``raw`` keeps what was landed. Each raw table declares
where it keeps people (:class:`flowmart.trackers.spec.People`); :func:`pseudonymise` replaces them:

* a column or list holding a person: by a pseudonym ``person-<12 hex>``, a keyed hash (HMAC-like
  ``sha256(key || value)``) of the value. The same person gets the same pseudonym in every table and
  file, so the models that tell assignees apart (GitHub and GitLab assignment) build the same marts;
* a key of a JSON payload that holds people (Jira ``fields.assignee``, a GitHub ``payload.user``):
  removed.

The key is random, made once per warehouse and kept beside it, readable by its owner only
(``.<warehouse>.people-key``), not in the warehouse: a copy of the warehouse alone cannot be matched
against a list of logins. Delete the key to make the pseudonyms unlinkable to anything new (later landings
then get other pseudonyms for the same people, so do it only with a full reload).

``flowmart land --drop-people`` pseudonymises each file's rows in the transaction that lands it;
``flowmart forget-people`` pseudonymises what was landed before (raw tables and raw.quarantine).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

import duckdb

from flowmart import trackers
from flowmart.trackers.spec import People, RawTable

PSEUDONYM = "^person-[0-9a-f]{12}$"  # values already replaced are left as they are


def key_path(db: Path) -> Path:
    return db.with_name(f".{db.name}.people-key")


def people_key(db: Path) -> str:
    """The warehouse's pseudonym key (created, 0600, on first use)."""
    path = key_path(db)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made by another process meanwhile
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _pseudonym(value: str, key: str) -> str:
    return (
        f"case when {value} is null or regexp_full_match({value}, '{PSEUDONYM}') then {value} "
        f"else 'person-' || left(sha256('{key}' || {value}), 12) end"
    )


def _removed(keys: Iterable[str]) -> str:
    patch = "{" + ", ".join(f'"{k}": null' for k in keys) + "}"
    return patch.replace("'", "''")


def _assignments(people: People, key: str) -> list[str]:
    sets = []
    for column in people.columns:
        value = _pseudonym(column, key)
        if people.when:
            value = f"case when {people.when.format(field='field')} then {value} else {column} end"
        sets.append(f"{column} = {value}")
    for column in people.lists:
        sets.append(
            f"{column} = case when json_type({column}) = 'ARRAY' then to_json(list_transform("
            f"from_json({column}, '[\"VARCHAR\"]'), lambda p: {_pseudonym('p', key)})) else {column} end"
        )
    for column, keys in people.json_keys:
        sets.append(
            f"{column} = case when json_type({column}) = 'OBJECT' "
            f"then json_merge_patch({column}, '{_removed(keys)}') else {column} end"
        )
    return sets


def tables_with_people() -> list[RawTable]:
    return [table for table in trackers.raw_tables() if table.people]


def pseudonymise(
    con: duckdb.DuckDBPyConnection, key: str, file_hashes: Iterable[str] | None = None, quarantine: bool = True
) -> dict[str, int]:
    """Replace the people in raw (the rows of ``file_hashes`` only, when given): rows touched per table. The
    caller owns the transaction."""
    hashes = None if file_hashes is None else sorted(set(file_hashes))
    if hashes is not None and not hashes:
        return {}
    where = "" if hashes is None else " where _file_hash in (select unnest(?::varchar[]))"
    touched: dict[str, int] = {}
    for table in tables_with_people():
        sets = ", ".join(_assignments(table.people, key))
        n = con.execute(f"update raw.{table.name} set {sets}{where}", [hashes] if hashes is not None else []).fetchone()
        if n and n[0]:
            touched[table.name] = n[0]
    if quarantine:
        touched.update(_quarantine(con, hashes))
    return touched


def _quarantine(con: duckdb.DuckDBPyConnection, hashes: list[str] | None) -> dict[str, int]:
    """Quarantined rows are kept as JSON records and never built: their people are removed outright."""
    touched = {}
    for table in tables_with_people():
        people = table.people
        patch: dict[str, object] = dict.fromkeys((*people.columns, *people.lists))
        for column, keys in people.json_keys:
            patch[column] = dict.fromkeys(keys)
        text = json.dumps(patch).replace("'", "''")
        condition = f"source_table = '{table.name}'"
        if people.when and people.columns:
            # only rows where the columns hold a person lose them; the JSON keys go from every row
            partial = json.dumps({k: v for k, v in patch.items() if k not in people.columns}).replace("'", "''")
            holds_person = people.when.format(field="(record ->> 'field')")
            record = (
                f"case when {holds_person} "
                f"then json_merge_patch(record, '{text}') else json_merge_patch(record, '{partial}') end"
            )
        else:
            record = f"json_merge_patch(record, '{text}')"
        where = condition + ("" if hashes is None else " and file_hash in (select unnest(?::varchar[]))")
        n = con.execute(
            f"update raw.quarantine set record = {record} where {where}", [hashes] if hashes is not None else []
        ).fetchone()
        if n and n[0]:
            touched[f"quarantine:{table.name}"] = n[0]
    return touched
