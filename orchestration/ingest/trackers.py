"""Registry of the non-Jira trackers `flowmart land` understands: GitHub, GitLab, Azure Boards, Linear.

Each tracker module (:mod:`.github`, :mod:`.gitlab`, :mod:`.azure`, :mod:`.linear`) declares

* ``RAW_TABLES``: ``{table: column DDL}`` created in the ``raw`` schema (lineage columns are appended);
* ``TEMP_TABLES``: the temp tables its SQL creates (dropped after every file);
* ``recognise_json(keys, first_item_keys, container)`` (JSON trackers): the kind of a parsed document, or None;
* ``KINDS``: ``{kind: callable returning a schema.KindSql}``.

:mod:`.landing` asks :func:`recognise_json` / :func:`recognise_csv` before its Jira and CSV checks, so
the Jira and interchange-CSV behaviour is untouched for every file no tracker claims.
"""

from __future__ import annotations

from collections.abc import Callable

from orchestration.ingest import azure, github, gitlab, linear

MODULES = {"github": github, "gitlab": gitlab, "azure": azure, "linear": linear}
SOURCES = tuple(MODULES)

RAW_TABLES: dict[str, str] = {name: ddl for module in MODULES.values() for name, ddl in module.RAW_TABLES.items()}
TEMP_TABLES: tuple[str, ...] = tuple(t for module in MODULES.values() for t in module.TEMP_TABLES)
KINDS: dict[str, Callable] = {kind: fn for module in MODULES.values() for kind, fn in module.KINDS.items()}
KIND_SOURCE: dict[str, str] = {kind: source for source, module in MODULES.items() for kind in module.KINDS}


def recognise_json(container: str, keys: set[str], item_keys: set[str], source: str | None) -> str | None:
    """The kind of a JSON document, or None when no tracker claims it.

    container: 'object' (one JSON document) or 'array' (a top-level array; item_keys are its first
    element's keys); keys: the object's top-level keys (for 'object'); item_keys: the keys of the first
    element of the document's list (the array itself, or the object's 'value' list for Azure).
    """
    for name in (source,) if source in MODULES else SOURCES:
        module = MODULES[name]
        recognise = getattr(module, "recognise_json", None)
        kind = recognise(container, keys, item_keys) if recognise else None
        if kind:
            return kind
    return None


def recognise_csv(header: list[str], source: str | None) -> str | None:
    """The kind of a CSV file from its header, or None when no tracker claims it."""
    for name in (source,) if source in MODULES else SOURCES:
        recognise = getattr(MODULES[name], "recognise_csv", None)
        kind = recognise(header) if recognise else None
        if kind:
            return kind
    return None
