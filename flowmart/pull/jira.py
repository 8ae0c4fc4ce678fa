"""`flowmart pull jira`: Jira Cloud and Data Center through their REST APIs.

- Credentials from the environment only: ``JIRA_EMAIL`` + ``JIRA_API_TOKEN`` (Cloud, basic auth) or
  ``JIRA_TOKEN`` (Data Center personal access token, bearer).
- ``GET /rest/api/2/serverInfo`` says the deployment (``--deployment`` overrides).
- Issues with ``expand=changelog`` and the fields the staging models read: Cloud pages through
  ``GET /rest/api/3/search/jql`` (``nextPageToken`` / ``isLast``; it refuses an unbounded JQL, returns only
  ids unless fields are named, and may return fewer issues than asked); Data Center through
  ``GET /rest/api/2/search`` (``startAt`` / ``maxResults`` / ``total``).
- The status list (``/rest/api/2/status``), and for every issue whose embedded changelog is truncated
  (``total > maxResults``) its changelog pages: ``/rest/api/3/issue/{id}/changelog`` on Cloud; on Data
  Center, whose search embeds the whole changelog, a search for that one issue.
- Incremental: ``updated >= "yyyy/MM/dd HH:mm"`` is added to the JQL, ordered by ``updated``. Jira reads
  JQL dates in the account's time zone, so the overlap is a day.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import requests

from flowmart.pull import Export, PullError, Say, get, newest, pages, session
from flowmart.timestamps import tracker_time

# every field the staging models and the gate read (flowmart/trackers/jira.py, ISSUE_FIELDS_TYPE)
FIELDS = (
    "summary",
    "issuetype",
    "status",
    "project",
    "created",
    "updated",
    "resolution",
    "resolutiondate",
    "labels",
    "components",
    "parent",
)
PAGE_SIZE = 100
CHANGELOG_PAGE_SIZE = 100
OVERLAP = timedelta(days=1)  # JQL dates are in the account's time zone: up to 14 h either way
DEFAULT_JQL = 'updated >= "1970/01/01 00:00"'  # a bound: Cloud refuses an unbounded query
AUTH_HINT = "set JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud) or JIRA_TOKEN (Data Center), with read access"


@dataclass(frozen=True)
class Site:
    url: str  # https://example.atlassian.net (no trailing slash)
    deployment: str  # cloud | datacenter

    @property
    def instance(self) -> str:
        return urlsplit(self.url).hostname or self.url


def credentials() -> dict[str, str]:
    """The Authorization header from the environment (never echoed anywhere)."""
    email, api_token, pat = (os.environ.get(n, "").strip() for n in ("JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_TOKEN"))
    if email and api_token:
        return {"Authorization": "Basic " + base64.b64encode(f"{email}:{api_token}".encode()).decode()}
    if pat:
        return {"Authorization": f"Bearer {pat}"}
    if email or api_token:
        raise PullError("set both JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud), or JIRA_TOKEN (Data Center)")
    raise PullError("no Jira credentials: " + AUTH_HINT)


def deployment(http: requests.Session, url: str) -> str:
    info = get(http, f"{url}/rest/api/2/serverInfo", None, AUTH_HINT).json()
    kind = str(info.get("deploymentType", "")).lower()
    return "cloud" if kind == "cloud" else "datacenter"


def with_cursor(jql: str, start: datetime | None) -> str:
    """The JQL with the incremental clause, ordered by updated (the user's ORDER BY is replaced)."""
    body = re.split(r"\border\s+by\b", jql, maxsplit=1, flags=re.IGNORECASE)[0].strip()
    clauses = [f"({body})"] if body else []
    if start is not None:
        clauses.append(f'updated >= "{start.astimezone(UTC).strftime("%Y/%m/%d %H:%M")}"')
    return " AND ".join(clauses) + " ORDER BY updated ASC"


def _search_cloud(http: requests.Session, site: Site, jql: str) -> Iterator[dict]:
    token = None
    while True:
        params = {"jql": jql, "fields": ",".join(FIELDS), "expand": "changelog", "maxResults": PAGE_SIZE}
        if token:
            params["nextPageToken"] = token
        page = get(http, f"{site.url}/rest/api/3/search/jql", params, AUTH_HINT).json()
        yield page
        token = page.get("nextPageToken")
        if page.get("isLast", not token) or not token:
            return


def _search_datacenter(http: requests.Session, site: Site, jql: str) -> Iterator[dict]:
    start = 0
    while True:
        params = {
            "jql": jql,
            "fields": ",".join(FIELDS),
            "expand": "changelog",
            "startAt": start,
            "maxResults": PAGE_SIZE,
        }
        page = get(http, f"{site.url}/rest/api/2/search", params, AUTH_HINT).json()
        yield page
        issues = page.get("issues") or []
        start = int(page.get("startAt", start)) + len(issues)
        if not issues or start >= int(page.get("total", 0)):
            return


def _truncated(issue: dict) -> bool:
    changelog = issue.get("changelog") or {}
    total = changelog.get("total")
    histories = changelog.get("histories") or []
    return total is not None and int(total) > len(histories)


def _changelog_pages(http: requests.Session, site: Site, issue: dict) -> Iterator[dict]:
    if site.deployment == "cloud":
        start = 0
        while True:
            params = {"startAt": start, "maxResults": CHANGELOG_PAGE_SIZE}
            page = get(http, f"{site.url}/rest/api/3/issue/{issue['id']}/changelog", params, AUTH_HINT).json()
            yield page
            values = page.get("values") or []
            start = int(page.get("startAt", start)) + len(values)
            if page.get("isLast", True) or not values or start >= int(page.get("total", 0)):
                return
    else:  # Data Center's search embeds the whole changelog: ask for the one issue
        params = {"jql": f'key = "{issue["key"]}"', "fields": ",".join(FIELDS), "expand": "changelog"}
        yield get(http, f"{site.url}/rest/api/2/search", params, AUTH_HINT).json()


@dataclass
class JiraPull:
    pages: int = 0
    cursor: datetime | None = None
    truncated: int = 0


def pull(
    url: str,
    jql: str | None,
    start: datetime | None,
    export: Export,
    forced_deployment: str | None,
    say: Say,
) -> tuple[JiraPull, Site]:
    """Fetch everything the JQL (plus the cursor clause) selects into ``export``."""
    url = url.rstrip("/")
    if not re.match(r"^https?://", url):
        raise PullError(f"{url}: not a URL (e.g. https://example.atlassian.net)")
    http = session(credentials())
    site = Site(url, forced_deployment or deployment(http, url))
    query = with_cursor(jql or DEFAULT_JQL, start)
    say(f"pull: jira {site.instance} ({site.deployment}): {query}")
    result = JiraPull()
    search = _search_cloud if site.deployment == "cloud" else _search_datacenter
    to_complete: list[dict] = []
    for number, page in enumerate(pages("jira search", lambda: search(http, site, query), say), start=1):
        export.write(f"search_page_{number:05d}.json", page)
        result.pages += 1
        for issue in page.get("issues") or []:
            export.items += 1
            result.cursor = newest(result.cursor, tracker_time((issue.get("fields") or {}).get("updated")))
            if _truncated(issue):
                to_complete.append(issue)
    for issue in to_complete:
        for number, page in enumerate(_changelog_pages(http, site, issue), start=1):
            name = f"changelog/issue_{issue['id']}_page_{number:03d}.json"
            export.write(name, page)
            result.pages += 1
    result.truncated = len(to_complete)
    export.write("status.json", get(http, f"{site.url}/rest/api/2/status", None, AUTH_HINT).json())
    result.pages += 1
    return result, site
