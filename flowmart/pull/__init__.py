"""`flowmart pull`: fetch a tracker's API pages into an export folder and land them
(docs/trackers.md, docs/adr/0065-pull-writes-an-export.md).

What a pull writes is an export: the API responses as the tracker returned them, one file per page, in
the landing folder layout (``landing/<tracker>/<instance>/<UTC timestamp>/``). Landing, lineage, the gate
and everything downstream treat a pulled page and a hand-saved page alike.

Incremental by a cursor kept in ``raw.sync_state``: the next pull asks only for items updated since the
newest ``updated`` the last one landed, minus an overlap; the cursor advances only after the pages landed.

HTTP goes through kept libraries: ``requests`` with urllib3's ``Retry`` (429 with ``Retry-After``, 5xx,
connection errors and timeouts, exponential backoff) and ``backoff``'s runtime waits for GitHub's
rate-limit reset. A token is sent in a header only: it never appears in a message, a file or the warehouse.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from flowmart import settings
from flowmart.warehouse import Warehouse, ensure_raw_schema

Say = Callable[[str], None]

RETRY_STATUSES = (429, 500, 502, 503, 504)
TIMEOUT = (10, 120)  # connect, read (seconds)


class PullError(Exception):
    """A pull that cannot go on; the message is one line for the user (never a token)."""


def retry_policy() -> Retry:
    """urllib3's Retry: GETs retried on connection errors, read timeouts, 429 and 5xx, honouring
    ``Retry-After``; exponential backoff otherwise. ``FLOWMART_HTTP_BACKOFF`` scales the backoff
    (seconds, default 1)."""
    return Retry(
        total=int(os.environ.get("FLOWMART_HTTP_RETRIES", "6")),
        connect=4,
        read=4,
        status=6,
        backoff_factor=float(os.environ.get("FLOWMART_HTTP_BACKOFF", "1")),
        backoff_max=120,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def session(headers: dict[str, str]) -> requests.Session:
    http = requests.Session()
    adapter = HTTPAdapter(max_retries=retry_policy())
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    http.headers.update({"User-Agent": "flowmart-pull", "Accept": "application/json", **headers})
    return http


def shown(url: str) -> str:
    """A URL fit for a message: no query (it may be long), no user info."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.hostname + (f":{parts.port}" if parts.port else ""), parts.path, "", ""))


def get(http: requests.Session, url: str, params: dict | None, auth_hint: str) -> requests.Response:
    """GET with the session's retries; a final failure is one PullError line."""
    try:
        response = http.get(url, params=params, timeout=TIMEOUT)
    except requests.exceptions.RetryError as exc:
        raise PullError(f"{shown(url)}: still failing after retries ({_reason(exc)})") from None
    except requests.exceptions.RequestException as exc:
        raise PullError(f"{shown(url)}: {_reason(exc)}") from None
    if response.status_code in (401, 403) and not _rate_limited(response):
        raise PullError(f"{shown(url)}: {response.status_code} {response.reason}: {auth_hint}")
    if response.status_code >= 400 and not _rate_limited(response):
        detail = _error_detail(response)
        raise PullError(f"{shown(url)}: {response.status_code} {response.reason}{': ' + detail if detail else ''}")
    return response


def _rate_limited(response: requests.Response) -> bool:
    return response.status_code in (403, 429) and response.headers.get("x-ratelimit-remaining") == "0"


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Caused by ", "Max retries exceeded"):
        if marker in text:
            text = text.split(marker, 1)[-1]
    return text.strip(" ()'\"")[:200] or type(exc).__name__


def _error_detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        messages = body.get("errorMessages") or ([body["message"]] if "message" in body else [])
        return "; ".join(str(m) for m in messages)[:300]
    return ""


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass
class Export:
    """The folder one pull writes: one file per page, named like hand-saved pages."""

    folder: Path
    items: int = 0

    def write(self, name: str, document) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")  # the landing sensor skips files in flight
        partial.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
        return path


def export_folder(out: str | Path | None, tracker: str, instance: str, started: datetime) -> Path:
    base = Path(out) if out else settings.landing_dir()
    return base / tracker / instance.replace("/", "__") / utc_stamp(started)


def _cursor(con, source: str, instance: str, query: str) -> datetime | None:
    row = con.execute(
        "select cursor from raw.sync_state where source = ? and instance = ? and query = ?", [source, instance, query]
    ).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def read_cursor(warehouse: Warehouse, source: str, instance: str, query: str) -> datetime | None:
    """The newest `updated` the last pull of this query landed (None: never pulled)."""
    if not warehouse.exists():
        return None
    with warehouse.connect() as con:
        ensure_raw_schema(con)
        return _cursor(con, source, instance, query)


def write_state(
    warehouse: Warehouse, source: str, instance: str, query: str, cursor: datetime | None, export: Export, pages: int
) -> None:
    """Record the pull (after its pages landed): the cursor only moves forward."""
    with warehouse.connect() as con:
        ensure_raw_schema(con)
        # read again here, not taken from the pull's start: another pull may have moved it meanwhile
        previous = _cursor(con, source, instance, query)
        kept = previous if previous is not None and (cursor is None or previous > cursor) else cursor
        con.execute("begin")
        con.execute(
            "delete from raw.sync_state where source = ? and instance = ? and query = ?", [source, instance, query]
        )
        con.execute(
            "insert into raw.sync_state values (?, ?, ?, ?, now()::timestamptz, ?, ?, ?)",
            [source, instance, query, kept.isoformat() if kept else None, pages, export.items, str(export.folder)],
        )
        con.execute("commit")


def since(cursor: datetime | None, overlap: timedelta, full: bool) -> datetime | None:
    """Where an incremental pull starts: the cursor minus the overlap (None: everything)."""
    if full or cursor is None:
        return None
    return cursor - overlap


def newest(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if candidate is None:
        return current
    return candidate if current is None or candidate > current else current


def pages(label: str, fetch: Callable[[], Iterator], say: Say) -> Iterator:
    """Iterate ``fetch()`` saying every tenth page, for long pulls."""
    for number, page in enumerate(fetch(), start=1):
        if number % 10 == 0:
            say(f"pull: {label}: {number} pages")
        yield page
