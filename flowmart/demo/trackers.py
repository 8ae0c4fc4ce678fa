"""Demo exports of Acme Mobility's other trackers: one GitHub repository and one Azure Boards project.

:func:`generate_trackers` writes, next to the Jira demo (docs/demo-data.md), files shaped exactly as the
APIs return them (docs/trackers.md):

* ``github/driver-app/issues_page_NNN.json`` — ``GET /repos/acme-mobility/driver-app/issues?state=all``,
  100 per page, newest first, pull requests among the issues;
  ``github/driver-app/issue_events_page_NNN.json`` — ``GET /repos/acme-mobility/driver-app/issues/events``,
  100 per page, newest first (ids grow with time; several events share a second).
  The driver app belongs to the Enterprise Fleet Operations stream (seeds/stream_assignment_rules.csv:
  repository rule). Labels drive the state (``status: in progress``, ``status: in review``, ``blocked``);
  assignment starts work when no label says so; type labels bug / security / tech-debt.
* ``azure/fleet/workitemsbatch_NNN.json`` — ``POST acme-mobility/Fleet/_apis/wit/workitemsbatch``, 200 per
  file; ``azure/fleet/updates/workitem_<id>_updates.json`` — ``GET .../workItems/{id}/updates``.
  Area paths ``Fleet\\Telematics`` (Telematics & Data Platform stream) and ``Fleet\\Maps`` (Fleet Starter);
  Agile process states New -> Active -> Resolved -> Closed, Removed; updates that change no state
  (title, tags, assignment) between them.

Deterministic: the same (items, seed, end) give byte-identical files (one ``random.Random`` per tracker).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flowmart.demo import EXPORT_END

REPO = "acme-mobility/driver-app"
API = f"https://api.github.com/repos/{REPO}"
ORG, PROJECT = "acme-mobility", "Fleet"
AZURE = f"https://dev.azure.com/{ORG}"
HISTORY_DAYS = 240
GITHUB_SHARE = 0.55

GITHUB_PEOPLE = ["zoe-wagner", "raj-iyer", "lukasz-nowak", "kevin-oconnor", "amara-okafor", "mei-chen"]
AZURE_PEOPLE = [
    ("Zoë Wagner", "zoe@acme-mobility.example"),
    ("Raj Iyer", "raj@acme-mobility.example"),
    ("Łukasz Nowak", "lukasz@acme-mobility.example"),
    ("Kevin O'Connor", "kevin@acme-mobility.example"),
]
LABEL_COLORS = {
    "bug": "d73a4a",
    "enhancement": "a2eeef",
    "security": "ee0701",
    "tech-debt": "fbca04",
    "status: in progress": "0e8a16",
    "status: in review": "1d76db",
    "blocked": "b60205",
    "question": "d876e3",
    "driver-ux": "c5def5",
    "offline": "bfdadc",
}
TOPICS = [
    "offline trip log",
    "shift hand-over",
    "route sync",
    "push notifications",
    "fuel receipts",
    "break timer",
    "vehicle checklist",
    "delivery proof photo",
    "login with SSO",
    "battery saver",
    "dark mode",
    "map tiles",
]


def _iso(ts: datetime, millis: bool = False) -> str:
    text = ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{ts.microsecond // 1000:03d}Z" if millis else "Z")


def _working_time(rng: random.Random, ts: datetime) -> datetime:
    """Move a time into working hours (Mon-Fri 08:00-18:00 UTC), keeping the day when possible."""
    if ts.hour >= 18:
        ts = (ts + timedelta(days=1)).replace(hour=8, minute=0, second=0)
    while ts.weekday() >= 5:
        ts = (ts + timedelta(days=1)).replace(hour=8, minute=0, second=0)
    if ts.hour < 8:
        ts = ts.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=rng.randint(0, 59))
    return ts


def _after(rng: random.Random, ts: datetime, mean_days: float) -> datetime:
    """A working-hours time after ``ts`` (never before it: histories only move forward)."""
    later = _working_time(rng, ts + timedelta(days=rng.expovariate(1 / mean_days), seconds=rng.randint(0, 59)))
    return later if later > ts else ts + timedelta(minutes=rng.randint(1, 90))


# ------------------------------------------------------------------------------------------------ GitHub


@dataclass
class GithubIssue:
    number: int
    title: str
    created: datetime
    author: str
    is_pull_request: bool = False
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    state: str = "open"
    state_reason: str | None = None
    closed: datetime | None = None
    updated: datetime | None = None
    events: list[tuple[datetime, int, dict]] = field(default_factory=list)  # (time, order, event body)


def _github_user(login: str) -> dict:
    uid = 7100 + sum(map(ord, login)) % 900
    return {
        "login": login,
        "id": uid,
        "node_id": f"MDQ6VXNlcj{uid}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "gravatar_id": "",
        "url": f"https://api.github.com/users/{login}",
        "html_url": f"https://github.com/{login}",
        "type": "Bot" if login.endswith("[bot]") else "User",
        "site_admin": False,
    }


def _github_label(name: str) -> dict:
    return {
        "id": 4100 + sorted(LABEL_COLORS).index(name),
        "node_id": f"LA_kwDOAcme{sorted(LABEL_COLORS).index(name)}",
        "url": f"{API}/labels/{name.replace(' ', '%20').replace(':', '%3A')}",
        "name": name,
        "color": LABEL_COLORS[name],
        "default": name in ("bug", "enhancement", "question"),
        "description": None,
    }


def _simulate_github(rng: random.Random, issue: GithubIssue, end: datetime) -> None:
    def add(ts: datetime, kind: str, actor: str, **extra) -> bool:
        if ts >= end:
            return False
        issue.events.append((ts, len(issue.events), {"event": kind, "actor": actor, **extra}))
        return True

    person = rng.choice(GITHUB_PEOPLE)
    kind = rng.choices(["bug", "security", "tech-debt", "enhancement"], [25, 6, 12, 57])[0]
    t = issue.created
    add(t, "labeled", "triage-bot[bot]", label=kind)  # the bot labels in the creation second
    labels = {kind}
    if rng.random() < 0.15:
        add(
            t, "labeled", "triage-bot[bot]", label=rng.choice(["question", "driver-ux", "offline"])
        )  # not a state label
    if rng.random() < 0.08:  # closed as not planned without work
        t = _after(rng, t, 6)
        add(t, "closed", person, state_reason="not_planned")
        return
    t = _after(rng, t, 5)
    if not add(t, "assigned", person, assignee=person):
        return
    if rng.random() < 0.6:  # some teams also label, often in the same second as the assignment
        if not add(t, "labeled", person, label="status: in progress"):
            return
        labels.add("status: in progress")
    rounds = 2 if rng.random() < 0.07 else 1  # reopened once
    for round_ in range(rounds):
        if rng.random() < 0.18:
            t = _after(rng, t, 2)
            if not add(t, "labeled", person, label="blocked"):
                return
            t = _after(rng, t, 2.5)
            if not add(t, "unlabeled", person, label="blocked"):
                return
        t = _after(rng, t, 3 if kind != "enhancement" else 5)
        if rng.random() < 0.5:
            if "status: in progress" in labels:
                add(t, "unlabeled", person, label="status: in progress")
                labels.discard("status: in progress")
            if not add(t, "labeled", person, label="status: in review"):
                return
            labels.add("status: in review")
            t = _after(rng, t, 1.5)
        reason = "not_planned" if rng.random() < 0.04 else "completed"
        if not add(t, "closed", person, state_reason=reason):
            return
        if round_ + 1 < rounds:
            t = _after(rng, t, 2)
            if not add(t, "reopened", rng.choice(GITHUB_PEOPLE), state_reason="reopened"):
                return
            if "status: in review" in labels:
                add(t, "unlabeled", person, label="status: in review")
                labels.discard("status: in review")


def _finish_github_issue(issue: GithubIssue) -> None:
    labels: list[str] = []
    assignees: list[str] = []
    for ts, _, body in sorted(issue.events, key=lambda e: (e[0], e[1])):
        kind = body["event"]
        if kind == "labeled" and body["label"] not in labels:
            labels.append(body["label"])
        elif kind == "unlabeled" and body["label"] in labels:
            labels.remove(body["label"])
        elif kind == "assigned" and body["assignee"] not in assignees:
            assignees.append(body["assignee"])
        elif kind == "closed":
            issue.state, issue.state_reason, issue.closed = "closed", body.get("state_reason"), ts
        elif kind == "reopened":
            issue.state, issue.state_reason, issue.closed = "open", "reopened", None
        issue.updated = ts
    issue.labels, issue.assignees = labels, assignees
    issue.updated = issue.updated or issue.created


def _github_issue_json(issue: GithubIssue) -> dict:
    n = issue.number
    obj = {
        "url": f"{API}/issues/{n}",
        "repository_url": API,
        "labels_url": f"{API}/issues/{n}/labels{{/name}}",
        "comments_url": f"{API}/issues/{n}/comments",
        "events_url": f"{API}/issues/{n}/events",
        "html_url": f"https://github.com/{REPO}/{'pull' if issue.is_pull_request else 'issues'}/{n}",
        "id": 2300000000 + n,
        "node_id": f"I_kwDOAcmeDrv{n}",
        "number": n,
        "title": issue.title,
        "user": _github_user(issue.author),
        "labels": [_github_label(name) for name in issue.labels],
        "state": issue.state,
        "locked": False,
        "assignee": _github_user(issue.assignees[0]) if issue.assignees else None,
        "assignees": [_github_user(a) for a in issue.assignees],
        "milestone": None,
        "comments": 0,
        "created_at": _iso(issue.created),
        "updated_at": _iso(issue.updated),
        "closed_at": _iso(issue.closed) if issue.closed else None,
        "author_association": "MEMBER",
        "active_lock_reason": None,
        "body": f"{issue.title}.",
        "reactions": {"url": f"{API}/issues/{n}/reactions", "total_count": 0, "+1": 0, "-1": 0},
        "timeline_url": f"{API}/issues/{n}/timeline",
        "performed_via_github_app": None,
        "state_reason": issue.state_reason,
    }
    if issue.is_pull_request:
        obj["draft"] = False
        obj["pull_request"] = {
            "url": f"{API}/pulls/{n}",
            "html_url": f"https://github.com/{REPO}/pull/{n}",
            "diff_url": f"https://github.com/{REPO}/pull/{n}.diff",
            "patch_url": f"https://github.com/{REPO}/pull/{n}.patch",
            "merged_at": _iso(issue.closed) if issue.closed else None,
        }
    return obj


def _github_event_json(event_id: int, ts: datetime, body: dict, issue_json: dict) -> dict:
    out = {
        "id": event_id,
        "node_id": f"LE_lADOAcme{event_id}",
        "url": f"{API}/issues/events/{event_id}",
        "actor": _github_user(body["actor"]),
        "event": body["event"],
        "commit_id": None,
        "commit_url": None,
        "created_at": _iso(ts),
        "performed_via_github_app": None,
    }
    if "label" in body:
        out["label"] = {"name": body["label"], "color": LABEL_COLORS[body["label"]]}
    if "assignee" in body:
        out["assignee"] = _github_user(body["assignee"])
        out["assigner"] = _github_user(body["actor"])
    if body["event"] in ("closed", "reopened"):
        out["state_reason"] = body.get("state_reason")
    out["issue"] = {k: v for k, v in issue_json.items() if k != "reactions"}
    return out


def _write_pages(folder: Path, stem: str, records: list[dict], page_size: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(0, max(len(records), 1), page_size):
        path = folder / f"{stem}_{i // page_size + 1:03d}.json"
        path.write_text(json.dumps(records[i : i + page_size], indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def generate_github(out_dir: Path, items: int, seed: int, end: datetime) -> dict:
    rng = random.Random(f"{seed}:github:{REPO}")
    start = end - timedelta(days=HISTORY_DAYS)
    issues: list[GithubIssue] = []
    for number in range(1, items + 1):
        created = _working_time(rng, start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds() - 86400)))
        issue = GithubIssue(
            number=number,
            title=f"Driver app: {rng.choice(TOPICS)} ({number})",
            created=created,
            author=rng.choice(GITHUB_PEOPLE),
            is_pull_request=rng.random() < 0.2,
        )
        if issue.is_pull_request:
            issue.closed = _after(rng, created, 2)
            issue.state = "closed" if issue.closed < end else "open"
            issue.closed = issue.closed if issue.state == "closed" else None
            issue.events.append((created, 0, {"event": "ready_for_review", "actor": issue.author}))
            issue.updated = issue.closed or created
        else:
            _simulate_github(rng, issue, end)
            _finish_github_issue(issue)
        issues.append(issue)
    # numbers follow creation order, as on GitHub
    issues.sort(key=lambda i: i.created)
    for number, issue in enumerate(issues, start=1):
        issue.number = number
        issue.title = issue.title.rsplit(" (", 1)[0] + f" (#{number})"
    issue_json = {i.number: _github_issue_json(i) for i in issues}
    events = sorted(
        ((ts, i.number, order, body) for i in issues for ts, order, body in i.events), key=lambda e: (e[0], e[1], e[2])
    )
    event_json = [
        _github_event_json(37000000 + k, ts, body, issue_json[number])
        for k, (ts, number, _, body) in enumerate(events, start=1)
    ]
    folder = out_dir / "github" / "driver-app"
    files = _write_pages(
        folder, "issues_page", [issue_json[i.number] for i in sorted(issues, key=lambda i: -i.number)], 100
    )
    files += _write_pages(folder, "issue_events_page", event_json[::-1], 100)
    return {
        "github_issues": sum(not i.is_pull_request for i in issues),
        "github_events": len(event_json),
        "files": len(files),
    }


# ------------------------------------------------------------------------------------------------ Azure


def _identity(person: tuple[str, str]) -> dict:
    name, mail = person
    return {
        "displayName": name,
        "url": f"https://spsprodweu5.vssps.visualstudio.com/A/_apis/Identities/{mail}",
        "id": f"{sum(map(ord, mail)):08d}-1111-2222-3333-444455556666",
        "uniqueName": mail,
        "imageUrl": f"{AZURE}/_apis/GraphProfile/MemberAvatars/{mail}",
        "descriptor": f"aad.{mail}",
    }


def _simulate_azure(rng: random.Random, created: datetime, wtype: str, end: datetime) -> list[tuple[datetime, dict]]:
    """[(time, {field: (old, new)})] after creation; state changes mixed with updates that change no state."""
    changes: list[tuple[datetime, dict]] = []
    t, state = created, "New"

    def move(new_state: str, mean_days: float) -> bool:
        nonlocal t, state
        t = _after(rng, t, mean_days)
        if t >= end:
            return False
        changes.append((t, {"System.State": (state, new_state)}))
        state = new_state
        return True

    def noise(mean_days: float) -> None:
        nonlocal t
        if rng.random() < 0.5:
            ts = _after(rng, t, mean_days)
            if ts < end:
                t = ts
                changes.append(
                    (t, {"System.Tags": (None, rng.choice(["gps", "maps; frontend", "telemetry", "security"]))})
                )

    noise(1)
    if rng.random() < 0.07:
        move("Removed", 10)
        return changes
    if not move("Active", 6):
        return changes
    rounds = 2 if rng.random() < 0.06 else 1  # reopened once: Closed -> Active
    for round_ in range(rounds):
        noise(1)
        if wtype != "Task" and not move("Resolved", 4 if wtype == "Bug" else 6):
            return changes
        if not move("Closed", 1.5):
            return changes
        if round_ + 1 < rounds and not move("Active", 2):
            return changes
    return changes


def generate_azure(out_dir: Path, items: int, seed: int, end: datetime) -> dict:
    rng = random.Random(f"{seed}:azure:{ORG}/{PROJECT}")
    start = end - timedelta(days=HISTORY_DAYS)
    folder = out_dir / "azure" / "fleet"
    (folder / "updates").mkdir(parents=True, exist_ok=True)
    work_items, update_files, update_count = [], 0, 0
    for k in range(items):
        wid = 1201 + k
        created = _working_time(rng, start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds() - 86400)))
        created = created.replace(microsecond=rng.randint(0, 999) * 1000)
        wtype = rng.choices(["User Story", "Bug", "Task"], [55, 25, 20])[0]
        area = rng.choices([f"{PROJECT}\\Telematics", f"{PROJECT}\\Maps"], [60, 40])[0]
        title = f"{rng.choice(['Telemetry', 'Map', 'Geofence', 'Trip', 'Vehicle'])} {rng.choice(TOPICS)} ({wid})"
        author = rng.choice(AZURE_PEOPLE)
        changes = _simulate_azure(rng, created, wtype, end)
        # updates: rev 1 creates, then one update per change
        revisions = [
            (
                created,
                {
                    "System.State": (None, "New"),
                    "System.WorkItemType": (None, wtype),
                    "System.AreaPath": (None, area),
                    "System.TeamProject": (None, PROJECT),
                    "System.Title": (None, title),
                    "System.CreatedDate": (None, _iso(created, True)),
                },
            )
        ]
        revisions += changes
        updates, state, tags, state_changed = [], "New", None, created
        closed_at = activated_at = resolved_at = None
        for rev, (ts, fields) in enumerate(revisions, start=1):
            body = {"System.Rev": {"oldValue": rev - 1, "newValue": rev} if rev > 1 else {"newValue": rev}}
            prev = revisions[rev - 2][0] if rev > 1 else None
            body["System.ChangedDate"] = (
                {"oldValue": _iso(prev, True), "newValue": _iso(ts, True)} if prev else {"newValue": _iso(ts, True)}
            )
            for name, (old, new) in fields.items():
                body[name] = {"oldValue": old, "newValue": new} if old is not None else {"newValue": new}
                if name == "System.State":
                    state, state_changed = new, ts
                    activated_at = ts if new == "Active" else activated_at
                    resolved_at = ts if new == "Resolved" else resolved_at
                    closed_at = ts if new == "Closed" else (None if new == "Active" else closed_at)
                if name == "System.Tags":
                    tags = new
            revised = revisions[rev][0] if rev < len(revisions) else None
            updates.append(
                {
                    "id": rev,
                    "workItemId": wid,
                    "rev": rev,
                    "revisedBy": _identity(rng.choice(AZURE_PEOPLE)),
                    "revisedDate": _iso(revised, True) if revised else "9999-01-01T00:00:00Z",
                    "fields": body,
                    "url": f"{AZURE}/_apis/wit/workItems/{wid}/updates/{rev}",
                }
            )
        last = revisions[-1][0]
        fields = {
            "System.AreaPath": area,
            "System.TeamProject": PROJECT,
            "System.IterationPath": f"{PROJECT}\\Sprint {1 + (created - start).days // 14}",
            "System.WorkItemType": wtype,
            "System.State": state,
            "System.Reason": "",
            "System.CreatedDate": _iso(created, True),
            "System.CreatedBy": _identity(author),
            "System.ChangedDate": _iso(last, True),
            "System.Title": title,
            "Microsoft.VSTS.Common.StateChangeDate": _iso(state_changed, True),
            "Microsoft.VSTS.Common.Priority": rng.randint(1, 4),
        }
        if tags:
            fields["System.Tags"] = tags
        for name, ts in (
            ("Microsoft.VSTS.Common.ActivatedDate", activated_at),
            ("Microsoft.VSTS.Common.ResolvedDate", resolved_at),
            ("Microsoft.VSTS.Common.ClosedDate", closed_at),
        ):
            if ts:
                fields[name] = _iso(ts, True)
        work_items.append(
            {"id": wid, "rev": len(revisions), "fields": fields, "url": f"{AZURE}/_apis/wit/workItems/{wid}"}
        )
        path = folder / "updates" / f"workitem_{wid}_updates.json"
        path.write_text(
            json.dumps({"count": len(updates), "value": updates}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        update_files += 1
        update_count += len(updates)
    batches = 0
    for i in range(0, len(work_items), 200):
        batch = work_items[i : i + 200]
        (folder / f"workitemsbatch_{i // 200 + 1:03d}.json").write_text(
            json.dumps({"count": len(batch), "value": batch}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        batches += 1
    return {"azure_work_items": len(work_items), "azure_updates": update_count, "files": batches + update_files}


def generate_trackers(out_dir: str | Path, items: int = 400, seed: int = 42, end: date | None = None) -> dict:
    """Write the GitHub and Azure Boards demo exports for ``items`` work items (55 % GitHub entries, of which
    about a fifth are pull requests, 45 % Azure work items); history runs 240 days up to ``end`` 00:00 UTC."""
    end = end or EXPORT_END
    end_ts = datetime(end.year, end.month, end.day, tzinfo=UTC)
    out = Path(out_dir)
    github_items = max(1, round(items * GITHUB_SHARE))
    summary = {"items": items}
    for part in (
        generate_github(out, github_items, seed, end_ts),
        generate_azure(out, max(1, items - github_items), seed, end_ts),
    ):
        for key, value in part.items():
            summary[key] = summary.get(key, 0) + value
    return summary


if __name__ == "__main__":  # pragma: no cover - python -m flowmart.demo.trackers OUT [ITEMS]
    import sys
    import time

    started = time.perf_counter()
    result = generate_trackers(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 400)
    print(result, f"{time.perf_counter() - started:.1f} s")
