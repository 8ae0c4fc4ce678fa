"""A local HTTP server on 127.0.0.1 that answers like Jira Cloud, Jira Data Center or GitHub from recorded
issues, events and status lists, for `flowmart pull` tests (no machine here reaches a real tracker).

It pages the way each API does (Cloud: nextPageToken / isLast and fewer issues than asked; Data Center:
startAt / maxResults / total; GitHub: Link headers), filters by the JQL's `updated >= "..."` clause and
GitHub's `since`, checks the Authorization header, and plays scripted faults (429 with Retry-After, 502,
a GitHub rate limit) before answering. Every request is logged for the assertions.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from flowmart.timestamps import tracker_time as parse_time


@dataclass
class Fault:
    status: int
    headers: dict = field(default_factory=dict)
    body: dict = field(default_factory=lambda: {"message": "scripted fault"})


@dataclass
class Replay:
    mode: str  # cloud | datacenter | github
    authorization: str  # the expected Authorization header
    issues: list = field(default_factory=list)  # Jira issue objects or GitHub issue objects
    statuses: list = field(default_factory=list)
    events: list = field(default_factory=list)  # GitHub events, newest first
    truncate: dict = field(default_factory=dict)  # Jira issue id -> histories embedded in search results
    page_cap: int = 7  # Cloud and GitHub return at most this many per page, whatever was asked
    faults: dict = field(default_factory=dict)  # path prefix -> [Fault, ...] played before answering
    log: list = field(default_factory=list)  # (path, query dict, had_expected_auth)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Replay:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests_to(self, path: str) -> list[dict]:
        return [query for logged, query, _ in self.log if logged == path]

    # --- answers ----------------------------------------------------------------------------------------

    def answer(self, path: str, query: dict, headers) -> tuple[int, dict, object]:
        with self._lock:
            self.log.append((path, query, headers.get("Authorization") == self.authorization))
            for prefix, faults in self.faults.items():
                if path.startswith(prefix) and faults:
                    fault = faults.pop(0)
                    return fault.status, fault.headers, fault.body
        if headers.get("Authorization") != self.authorization:
            return 401, {}, {"errorMessages": ["You are not authenticated."], "message": "Bad credentials"}
        if self.mode == "github":
            return self._github(path, query)
        return self._jira(path, query)

    def _jira(self, path: str, query: dict) -> tuple[int, dict, object]:
        if path == "/rest/api/2/serverInfo":
            return 200, {}, {"deploymentType": "Cloud" if self.mode == "cloud" else "DataCenter", "version": "1001.0.0"}
        if path == "/rest/api/2/status":
            return 200, {}, self.statuses
        if path == "/rest/api/3/search/jql" and self.mode == "cloud":
            return self._cloud_search(query)
        if path == "/rest/api/2/search" and self.mode == "datacenter":
            return self._datacenter_search(query)
        match = re.fullmatch(r"/rest/api/3/issue/(\d+)/changelog", path)
        if match and self.mode == "cloud":
            return self._changelog(match.group(1), query)
        return 404, {}, {"errorMessages": [f"no such resource in this replay ({self.mode}): {path}"]}

    def _selected(self, jql: str) -> list[dict]:
        body = re.split(r"\border\s+by\b", jql, flags=re.IGNORECASE)[0]
        issues = self.issues
        match = re.search(r'updated\s*>=\s*"(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2})"', body)
        if match:
            # JQL dates are in the account's time zone: this replay's account is on UTC
            since = datetime(*map(int, match.groups()), tzinfo=UTC)
            issues = [i for i in issues if parse_time(i["fields"]["updated"]) >= since]
        key = re.search(r'key\s*=\s*"([^"]+)"', body)
        if key:
            issues = [i for i in issues if i["key"] == key.group(1)]
        return sorted(issues, key=lambda i: parse_time(i["fields"]["updated"]))

    def _shaped(self, issue: dict, query: dict) -> dict:
        if not query.get("fields"):  # Cloud's search/jql returns ids only unless fields are named
            return {"id": issue["id"]}
        shaped = copy.deepcopy(issue)
        if "changelog" not in query.get("expand", ""):
            shaped.pop("changelog", None)
        elif issue["id"] in self.truncate:
            histories = shaped["changelog"]["histories"]
            kept = self.truncate[issue["id"]]
            shaped["changelog"] = {
                "startAt": 0,
                "maxResults": kept,
                "total": len(histories),
                "histories": histories[:kept],
            }
        return shaped

    def _cloud_search(self, query: dict) -> tuple[int, dict, object]:
        jql = query.get("jql", "")
        if not re.split(r"\border\s+by\b", jql, flags=re.IGNORECASE)[0].strip():
            return (
                400,
                {},
                {
                    "errorMessages": [
                        "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
                    ]
                },
            )
        selected = self._selected(jql)
        offset = int(query.get("nextPageToken") or 0)
        size = min(int(query.get("maxResults", 50)), self.page_cap)
        chunk = selected[offset : offset + size]
        body = {"issues": [self._shaped(i, query) for i in chunk], "isLast": offset + size >= len(selected)}
        if not body["isLast"]:
            body["nextPageToken"] = str(offset + size)
        return 200, {}, body

    def _datacenter_search(self, query: dict) -> tuple[int, dict, object]:
        selected = self._selected(query.get("jql", ""))
        start = int(query.get("startAt", 0))
        size = min(int(query.get("maxResults", 50)), self.page_cap)
        chunk = selected[start : start + size]
        return (
            200,
            {},
            {
                "expand": "schema,names",
                "startAt": start,
                "maxResults": size,
                "total": len(selected),
                "issues": [self._shaped(i, query) for i in chunk],
            },
        )

    def _changelog(self, issue_id: str, query: dict) -> tuple[int, dict, object]:
        issue = next((i for i in self.issues if i["id"] == issue_id), None)
        if issue is None:
            return 404, {}, {"errorMessages": ["Issue does not exist"]}
        histories = issue["changelog"]["histories"]
        start = int(query.get("startAt", 0))
        size = min(int(query.get("maxResults", 100)), self.page_cap)
        values = histories[start : start + size]
        site = issue["self"].split("/rest/")[0]
        return (
            200,
            {},
            {
                "self": f"{site}/rest/api/3/issue/{issue_id}/changelog?maxResults={size}&startAt={start}",
                "maxResults": size,
                "startAt": start,
                "total": len(histories),
                "isLast": start + size >= len(histories),
                "values": values,
            },
        )

    def _github(self, path: str, query: dict) -> tuple[int, dict, object]:
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues(/events)?", path)
        if not match:
            return 404, {}, {"message": "Not Found"}
        if match.group(3):
            items = self.events
        else:
            items = sorted(self.issues, key=lambda i: parse_time(i["updated_at"]))
            if query.get("since"):
                since = parse_time(query["since"])
                items = [i for i in items if parse_time(i["updated_at"]) >= since]
        page = int(query.get("page", 1))
        size = min(int(query.get("per_page", 30)), self.page_cap)
        chunk = items[(page - 1) * size : page * size]
        headers = {"x-ratelimit-remaining": "4999"}
        if page * size < len(items):
            following = {**query, "page": str(page + 1)}
            headers["Link"] = f'<{self.url}{path}?{urlencode(following)}>; rel="next"'
        return 200, headers, chunk

    def _handler(self):
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                status, headers, body = replay.answer(parts.path, query, self.headers)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:  # quiet
                pass

        return Handler


def rate_limited_for(seconds: float) -> Fault:
    """GitHub's primary rate limit: 403, nothing remaining, reset in ``seconds``."""
    return Fault(
        403,
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time() + seconds))},
        {"message": "API rate limit exceeded"},
    )
