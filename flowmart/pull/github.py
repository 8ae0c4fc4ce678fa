"""`flowmart pull github`: a repository's issues and issue events through the GitHub REST API.

- ``GITHUB_TOKEN`` from the environment (a fine-grained token with read access to issues); without one the
  API allows 60 requests an hour, which the pull says.
- Issue pages: ``GET /repos/{owner}/{repo}/issues?state=all&sort=updated&direction=asc&per_page=100``
  (``since=`` on an incremental pull), followed through the ``Link`` header; pull requests come along, as
  the API returns them, and landing keeps what it keeps from hand-saved pages.
- Issue event pages: ``GET /repos/{owner}/{repo}/issues/events?per_page=100``, newest first, followed
  through ``Link`` until the events are older than the cursor (the API keeps a window of events: older
  assignments are not there, ADR 0062).
- Rate limits: 429/5xx with ``Retry-After`` are retried by urllib3; a primary limit (403/429 with
  ``x-ratelimit-remaining: 0``) waits until ``x-ratelimit-reset`` with ``backoff.runtime``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import backoff
import requests

from flowmart.pull import Export, PullError, Say, get, newest, pages, session
from flowmart.timestamps import tracker_time

DEFAULT_API = "https://api.github.com"
PAGE_SIZE = 100
OVERLAP = timedelta(hours=1)
AUTH_HINT = "set GITHUB_TOKEN to a token with read access to the repository's issues"
MAX_RATE_LIMIT_WAIT = float(os.environ.get("FLOWMART_GITHUB_MAX_WAIT", "3600"))


def _limited(response: requests.Response) -> bool:
    return response.status_code in (403, 429) and response.headers.get("x-ratelimit-remaining") == "0"


def _until_reset(response: requests.Response) -> float:
    reset = float(response.headers.get("x-ratelimit-reset", time.time() + 60))
    return min(max(reset - time.time(), 1.0), MAX_RATE_LIMIT_WAIT)


@backoff.on_predicate(backoff.runtime, predicate=_limited, value=_until_reset, max_tries=3, jitter=None)
def _get(http: requests.Session, url: str, params: dict | None) -> requests.Response:
    return get(http, url, params, AUTH_HINT)


def _fetch(http: requests.Session, url: str, params: dict | None) -> requests.Response:
    response = _get(http, url, params)
    if _limited(response):
        raise PullError(f"{url}: GitHub's rate limit is exhausted until {response.headers.get('x-ratelimit-reset')}")
    return response


def _follow(http: requests.Session, url: str, params: dict) -> Iterator[list]:
    """Pages of a list endpoint, following ``Link: <...>; rel="next"``."""
    next_url, next_params = url, params
    while next_url:
        response = _fetch(http, next_url, next_params)
        body = response.json()
        if not isinstance(body, list):
            raise PullError(f"{next_url}: expected a JSON array, got {type(body).__name__}")
        yield body
        next_url, next_params = response.links.get("next", {}).get("url"), None


@dataclass
class GitHubPull:
    pages: int = 0
    cursor: datetime | None = None
    events: int = 0


def pull(repo: str, api_url: str | None, start: datetime | None, export: Export, say: Say) -> GitHubPull:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
        raise PullError(f"{repo}: not OWNER/NAME")
    api = (api_url or DEFAULT_API).rstrip("/")
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        say("pull: no GITHUB_TOKEN: unauthenticated, GitHub allows 60 requests an hour")
    http = session(
        {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        }
    )
    result = GitHubPull()
    params = {"state": "all", "sort": "updated", "direction": "asc", "per_page": PAGE_SIZE}
    if start is not None:
        params["since"] = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    say(f"pull: github {repo}: issues{' updated since ' + params['since'] if 'since' in params else ''}")
    issues_url = f"{api}/repos/{repo}/issues"
    for number, page in enumerate(pages("github issues", lambda: _follow(http, issues_url, params), say), start=1):
        export.write(f"issues_page_{number:05d}.json", page)
        result.pages += 1
        export.items += len(page)
        for issue in page:
            result.cursor = newest(result.cursor, tracker_time(issue.get("updated_at")))
    events_url = f"{api}/repos/{repo}/issues/events"
    event_params = {"per_page": PAGE_SIZE}
    for number, page in enumerate(pages("github events", lambda: _follow(http, events_url, event_params), say), 1):
        export.write(f"issue_events_page_{number:05d}.json", page)
        result.pages += 1
        result.events += len(page)
        # newest first: once a page reaches back past the cursor, older pages hold nothing new
        oldest = min((tracker_time(e.get("created_at")) for e in page if e.get("created_at")), default=None)
        if start is not None and oldest is not None and oldest < start:
            break
    return result
