"""Small Jira REST payloads written by hand for tests, shaped like the API's responses."""

from __future__ import annotations

import json
from pathlib import Path

SITE = "tests.atlassian.net"


def status(name: str, status_id: str, category: str) -> dict:
    names = {"new": "To Do", "indeterminate": "In Progress", "done": "Done"}
    ids = {"new": 2, "indeterminate": 4, "done": 3}
    return {
        "self": f"https://{SITE}/rest/api/2/status/{status_id}",
        "id": status_id,
        "name": name,
        "statusCategory": {"id": ids[category], "key": category, "name": names[category]},
    }


def history(history_id: str, created: str, from_status: str, to_status: str, extra_items: list | None = None) -> dict:
    return {
        "id": history_id,
        "author": {"self": f"https://{SITE}/rest/api/2/user?accountId=abc", "displayName": "Test User"},
        "created": created,
        "items": [
            {
                "field": "status",
                "fieldtype": "jira",
                "fieldId": "status",
                "from": "1",
                "fromString": from_status,
                "to": "2",
                "toString": to_status,
            },
            *(extra_items or []),
        ],
    }


def issue(
    issue_id: str,
    key: str,
    created: str,
    updated: str,
    current_status: str = "Done",
    category: str = "done",
    histories: list | None = None,
    total: int | None = None,
    issue_type: str = "Story",
    labels: list | None = None,
    components: list | None = None,
    resolution: str | None = None,
) -> dict:
    histories = histories or []
    return {
        "id": issue_id,
        "key": key,
        "self": f"https://{SITE}/rest/api/2/issue/{issue_id}",
        "fields": {
            "summary": f"Summary of {key}",
            "issuetype": {"id": "10001", "name": issue_type, "subtask": False},
            "status": status(current_status, "10", category),
            "project": {"id": "100", "key": key.split("-")[0], "name": "Test project"},
            "created": created,
            "updated": updated,
            "resolution": {"id": "1", "name": resolution} if resolution else None,
            "resolutiondate": updated if resolution else None,
            "labels": labels or [],
            "components": [{"id": str(i), "name": c} for i, c in enumerate(components or [])],
        },
        "changelog": {
            "startAt": 0,
            "maxResults": 100,
            "total": len(histories) if total is None else total,
            "histories": histories,
        },
    }


def search_page(issues: list) -> dict:
    return {"expand": "names,schema", "startAt": 0, "maxResults": 50, "total": len(issues), "issues": issues}


def changelog_page(key: str, histories: list, total: int | None = None) -> dict:
    return {
        "self": f"https://{SITE}/rest/api/3/issue/{key}/changelog?startAt=0&maxResults=100",
        "maxResults": 100,
        "startAt": 0,
        "total": len(histories) if total is None else total,
        "isLast": True,
        "values": histories,
    }


def write(path: Path, payload) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
