"""Deterministic demo data: Jira REST API exports of the fictional company Acme Mobility.

``generate(out_dir, items, seed, end, page_size)`` writes, for two Jira sites,

* ``jira/<site>/search_page_NNNNN.json``: ``GET /rest/api/2/search?expand=changelog`` responses,
* ``jira/<site>/changelog/<KEY>_page_NNN.json``: ``GET /rest/api/3/issue/<KEY>/changelog`` pages for the
  issues whose embedded changelog is truncated (more than 100 histories),
* ``jira/<site>/status.json``: ``GET /rest/api/2/status``.

The company, its value streams and every quirk in the data are described in docs/demo-data.md; the
mapping seeds in seeds/ are written for exactly this data.

Design constraints: the output is a pure function of the arguments (same arguments, byte-identical
files: one ``random.Random`` per site seeded from a string, no dict/set iteration over hashed keys,
own DST rules instead of the system tz database), and it streams (one page of issues in memory at a
time, bounded look-back buffers for parents), so 1,000,000 items run in bounded memory.
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import json
import math
import pickle
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flowmart.demo import EXPORT_END
from flowmart.timestamps import tracker_time

__all__ = [
    "EXCLUDED_ISSUE_TYPES",
    "SITES",
    "UNMAPPED_ISSUE_TYPES",
    "UNMAPPED_STATUSES",
    "company_holidays",
    "generate",
]

MINUTE = 60_000
HOUR = 3_600_000
DAY = 86_400_000
EMBEDDED_HISTORY_LIMIT = 100  # Jira embeds at most 100 histories in a search response
CHANGELOG_PAGE_SIZE = 100
STATE_FILE = ".flowmart-generate.state"  # where a long run saves its place (generate(resume=True))
CHECKPOINT_SECONDS = 60.0
GZIP_LEVEL = 6  # `generate --gzip`: a sixteenth of the bytes at ~14 ms per MB written (level 9: 17x, twice the time)

CLOUD = "acme-mobility.atlassian.net"
DC = "jira.acme-internal.example"

# Statuses and issue types that the demo mapping seeds deliberately leave unmapped, so that the
# data-quality mart has something to report (see docs/demo-data.md).
UNMAPPED_STATUSES = ("Parked", "On Hold")
UNMAPPED_ISSUE_TYPES = ("Spike",)
# ... and the issue types the seeds map to `exclude`: not flow items (containers and fragments of them)
EXCLUDED_ISSUE_TYPES = ("Epic", "Sub-task")


# --------------------------------------------------------------------------------------------------
# Time: epoch milliseconds (UTC) everywhere; own DST rules so the output never depends on tzdata.
# --------------------------------------------------------------------------------------------------


def _epoch_ms(y: int, m: int, d: int, hh: int = 0) -> int:
    return int(datetime(y, m, d, hh, tzinfo=UTC).timestamp()) * 1000


def _nth_sunday(y: int, m: int, n: int) -> int:
    """Day of month of the n-th Sunday (n=-1: last Sunday)."""
    if n > 0:
        first = date(y, m, 1)
        return 1 + (6 - first.weekday()) % 7 + 7 * (n - 1)
    nxt = date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
    return nxt.day - (nxt.weekday() + 1) % 7


class _Zone:
    """A fixed offset with optional DST (EU or US rules), as the tz database has them for 2007+."""

    def __init__(self, name: str, std_minutes: int, dst_rule: str | None = None):
        self.name = name
        self.std = std_minutes * MINUTE
        self.dst_rule = dst_rule
        self._bounds: list[int] = []  # sorted transition instants; odd count before t => DST
        if dst_rule:
            for y in range(1990, 2101):
                if dst_rule == "EU":  # last Sunday of March 01:00 UTC .. last Sunday of October 01:00 UTC
                    on = _epoch_ms(y, 3, _nth_sunday(y, 3, -1), 1)
                    off = _epoch_ms(y, 10, _nth_sunday(y, 10, -1), 1)
                else:  # US: second Sunday of March 02:00 local .. first Sunday of November 02:00 local
                    on = _epoch_ms(y, 3, _nth_sunday(y, 3, 2), 2) - self.std
                    off = _epoch_ms(y, 11, _nth_sunday(y, 11, 1), 2) - self.std - HOUR
                self._bounds += [on, off]
        self._suffix = {}
        for off_ms in {self.std, self.std + HOUR}:
            minutes = off_ms // MINUTE
            sign = "+" if minutes >= 0 else "-"
            self._suffix[off_ms] = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"

    def offset(self, ms: int) -> int:
        if self.dst_rule and bisect.bisect_right(self._bounds, ms) % 2:
            return self.std + HOUR
        return self.std


ZONES = {
    "Europe/Berlin": _Zone("Europe/Berlin", 60, "EU"),
    "America/New_York": _Zone("America/New_York", -300, "US"),
    "Asia/Kolkata": _Zone("Asia/Kolkata", 330),
    "UTC": _Zone("UTC", 0),
}


class _Clock:
    """Formats instants the way Jira does: 2024-03-01T09:15:02.123+0100 (cached per local day)."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def fmt(self, ms: int, zone: _Zone) -> str:
        off = zone.offset(ms)
        local = ms + off
        day, rem = divmod(local, DAY)
        ds = self._days.get(day)
        if ds is None:
            ds = self._days[day] = (date(1970, 1, 1) + timedelta(days=day)).isoformat()
        h, rem = divmod(rem, HOUR)
        m, rem = divmod(rem, MINUTE)
        s, milli = divmod(rem, 1000)
        return f"{ds}T{h:02d}:{m:02d}:{s:02d}.{milli:03d}{zone._suffix[off]}"


def _easter(y: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return date(y, month, day)


def company_holidays(years: range | list[int]) -> list[tuple[date, str]]:
    """Acme Mobility's company-wide days off (Berlin public holidays plus two company days), sorted."""
    out = []
    for y in years:
        e = _easter(y)
        out += [
            (date(y, 1, 1), "New Year's Day"),
            (date(y, 3, 8), "International Women's Day"),
            (e - timedelta(days=2), "Good Friday"),
            (e + timedelta(days=1), "Easter Monday"),
            (date(y, 5, 1), "Labour Day"),
            (e + timedelta(days=39), "Ascension Day"),
            (e + timedelta(days=50), "Whit Monday"),
            (date(y, 10, 3), "German Unity Day"),
            (date(y, 12, 24), "Christmas Eve (company day off)"),
            (date(y, 12, 25), "Christmas Day"),
            (date(y, 12, 26), "Boxing Day"),
            (date(y, 12, 31), "New Year's Eve (company day off)"),
        ]
    merged: dict[date, str] = {}
    for d, name in out:  # two holidays on one date (e.g. Ascension on 1 May) become one row
        merged[d] = f"{merged[d]} / {name}" if d in merged else name
    return sorted(merged.items())


# --------------------------------------------------------------------------------------------------
# The company: sites, users, statuses, issue types, projects, routes into value streams.
# --------------------------------------------------------------------------------------------------

CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}


@dataclass(frozen=True)
class StatusDef:
    id: str
    name: str
    category: str
    description: str
    flow_state: str | None  # intended flow state (None: deliberately unmapped in the seeds)
    stage: str | None


@dataclass(frozen=True)
class UserDef:
    display_name: str
    zone: str
    login: str  # DC username; Cloud: seed for the accountId
    bot: bool = False


@dataclass(frozen=True)
class Route:
    """How an item lands in Jira (project, components, labels) and which value stream it belongs to."""

    def __reduce__(self):  # a module constant holding lambdas: a saved run refers to it by name
        return _route_named, (self.name,)

    name: str
    project: str
    stream: str | None  # None: matches no assignment rule ('unassigned')
    components: tuple[str, ...]
    component_p: float  # probability that the item carries one of the components
    forced_label: str | None
    weight: Callable[[float, float], float]  # (x in [0,1] of the history, migration flag) -> weight


@dataclass(frozen=True)
class Workflow:
    initial: str
    progress: str
    review: str
    blocked: str
    parked: str
    done: str
    reopen_to: str
    selected: str | None = None
    ready_qa: str | None = None
    qa: str | None = None
    closed: str | None = None
    cancel_status: str | None = None  # status used for canceled items (else `done`/`closed`)


@dataclass(frozen=True)
class ProjectDef:
    key: str
    id: str
    name: str
    workflow: Workflow
    devs: tuple[str, ...]
    qa: tuple[str, ...]
    leads: tuple[str, ...]
    has_epics: bool = True


@dataclass
class SiteDef:
    def __reduce__(self):  # a module constant: a saved run refers to it by host
        return _site_named, (self.host,)

    host: str
    deployment: str  # cloud | datacenter
    share: float  # share of all generated items
    growth: float  # arrival growth over the history (1.0 = doubles)
    statuses: tuple[StatusDef, ...]
    issue_types: dict[str, tuple[str, str, int]]  # name -> (id, description, hierarchy level)
    priorities: tuple[tuple[str, str], ...]  # (id, name), highest first
    resolutions: dict[str, str]  # name -> id
    done_resolution: str
    cancel_resolutions: tuple[str, ...]
    users: dict[str, UserDef]
    projects: dict[str, ProjectDef]
    components: dict[str, str]  # name -> id
    routes: tuple[Route, ...]
    renamed: dict[str, tuple[str, float]] = field(default_factory=dict)  # status id -> (old name, x of rename)
    bots: tuple[str, ...] = ()


_S = StatusDef
CLOUD_STATUSES = (
    _S("10000", "Backlog", "new", "Not yet committed to.", "new", "Discover"),
    _S("10001", "To Do", "new", "Ready to be picked up.", "new", "Discover"),
    _S("10002", "Selected for Development", "new", "Committed for an upcoming sprint.", "new", "Decide"),
    _S("3", "In Progress", "indeterminate", "Being actively worked on.", "active", "Build"),
    _S(
        "10003",
        "In Review",
        "indeterminate",
        "Waiting for / in code or security review.",
        "waiting",
        "Review",
    ),
    _S("10004", "Blocked", "indeterminate", "Cannot progress; waiting on someone else.", "waiting", "Build"),
    _S("10005", "Ready for QA", "indeterminate", "Built and reviewed, waiting for QA.", "waiting", "Verify"),
    _S("10006", "QA", "indeterminate", "Being verified by QA.", "active", "Verify"),
    _S("10007", "Parked", "indeterminate", "Put aside (team-specific status).", None, None),
    _S("10008", "Done", "done", "Work is complete.", "done", "Release"),
    _S("10009", "Canceled", "done", "Will not be done.", "canceled", "Release"),
)
DC_STATUSES = (
    _S(
        "1",
        "Open",
        "new",
        "The issue is open and ready for the assignee to start work on it.",
        "new",
        "Discover",
    ),
    _S(
        "4",
        "Reopened",
        "new",
        "The issue was once resolved, but the resolution was deemed incorrect.",
        "waiting",
        "Build",
    ),
    _S("10100", "In Development", "indeterminate", "Being developed.", "active", "Build"),
    _S("10101", "Code Review", "indeterminate", "Waiting for / in code review.", "waiting", "Review"),
    _S("10102", "Blocked", "indeterminate", "Cannot progress; waiting on someone else.", "waiting", "Build"),
    _S("10103", "Ready for Test", "indeterminate", "Waiting for a tester.", "waiting", "Verify"),
    _S(
        "10104",
        "In Test",
        "indeterminate",
        "Being tested (called 'In QA' until the rename).",
        "active",
        "Verify",
    ),
    _S("10105", "On Hold", "indeterminate", "Put aside (team-specific status).", None, None),
    _S(
        "5",
        "Resolved",
        "done",
        "A resolution has been taken, and it is awaiting verification by reporter.",
        "done",
        "Release",
    ),
    _S(
        "6",
        "Closed",
        "done",
        "The issue is considered finished, the resolution is correct.",
        "done",
        "Release",
    ),
)

_CLOUD_TYPES = {
    "Epic": ("10000", "A big user story that needs to be broken down.", 1),
    "Story": ("10001", "Functionality or a feature expressed as a user goal.", 0),
    "Bug": ("10002", "A problem or error.", 0),
    "Task": ("10003", "A small, distinct piece of work.", 0),
    "Sub-task": ("10004", "A small piece of work that's part of a larger task.", -1),
    "Vulnerability": ("10005", "A security weakness to be remediated.", 0),
    "Tech Debt": ("10006", "Paying back a technical shortcut.", 0),
    "Spike": ("10007", "Time-boxed research.", 0),
}
_DC_TYPES = {
    "Epic": ("10000", "Created by Jira Software - do not edit or delete.", 1),
    "Bug": ("1", "A problem which impairs or prevents the functions of the product.", 0),
    "Task": ("3", "A task that needs to be done.", 0),
    "Sub-task": ("5", "The sub-task of the issue", -1),
    "Improvement": ("4", "An improvement or enhancement to an existing feature or task.", 0),
    "Story": ("10001", "Created by Jira Software - do not edit or delete.", 0),
    "Vulnerability": ("10200", "A security weakness to be remediated.", 0),
    "Spike": ("10201", "Time-boxed research.", 0),
}

_U = UserDef
CLOUD_USERS = {
    u.login: u
    for u in (
        _U("Jana Becker", "Europe/Berlin", "jbecker"),
        _U("Lukas Schmidt", "Europe/Berlin", "lschmidt"),
        _U("Zoë Wagner", "Europe/Berlin", "zwagner"),
        _U("Mehmet Yılmaz", "Europe/Berlin", "myilmaz"),
        _U("Anna Hoffmann", "Europe/Berlin", "ahoffmann"),
        _U("Felix Krüger", "Europe/Berlin", "fkruger"),
        _U("Maya Thompson", "America/New_York", "mthompson"),
        _U("Carlos Rivera", "America/New_York", "crivera"),
        _U("Emily Chen", "America/New_York", "echen"),
        _U("Jordan Brooks", "America/New_York", "jbrooks"),
        _U("Priya Natarajan", "America/New_York", "pnatarajan"),
        _U("Arjun Mehta", "Asia/Kolkata", "amehta"),
        _U("Sneha Iyer", "Asia/Kolkata", "siyer"),
        _U("Rahul Banerjee", "Asia/Kolkata", "rbanerjee"),
        _U("Kavya Reddy", "Asia/Kolkata", "kreddy"),
        _U("Tomás Oliveira", "UTC", "toliveira"),
        _U("Ngozi Okafor", "UTC", "nokafor"),
        _U("Automation for Jira", "UTC", "automation", bot=True),
        _U("GitHub for Jira", "UTC", "github", bot=True),
    )
}
DC_USERS = {
    u.login: u
    for u in (
        _U("Dirk Fischer", "Europe/Berlin", "d.fischer"),
        _U("Sabine Wolf", "Europe/Berlin", "s.wolf"),
        _U("Łukasz Nowak", "Europe/Berlin", "l.nowak"),
        _U("Amit Kumar", "Asia/Kolkata", "a.kumar"),
        _U("Pooja Sharma", "Asia/Kolkata", "p.sharma"),
        _U("Vikram Rao", "Asia/Kolkata", "v.rao"),
        _U("Marta García", "UTC", "m.garcia"),
        _U("Omar Ali", "UTC", "o.ali"),
        _U("Kevin O'Connor", "America/New_York", "k.oconnor"),
        _U("Jira Automation", "UTC", "jira-bot", bot=True),
    )
}

_CLOUD_FLOW = Workflow(
    initial="To Do",
    progress="In Progress",
    review="In Review",
    blocked="Blocked",
    parked="Parked",
    done="Done",
    reopen_to="In Progress",
)
_ENT_FLOW = Workflow(
    initial="Backlog",
    selected="Selected for Development",
    progress="In Progress",
    review="In Review",
    blocked="Blocked",
    parked="Parked",
    ready_qa="Ready for QA",
    qa="QA",
    done="Done",
    reopen_to="In Progress",
)
_PAY_FLOW = Workflow(
    initial="To Do",
    progress="In Progress",
    review="In Review",
    blocked="Blocked",
    parked="Parked",
    ready_qa="Ready for QA",
    qa="QA",
    done="Done",
    reopen_to="In Progress",
    cancel_status="Canceled",
)
_DC_FLOW = Workflow(
    initial="Open",
    progress="In Development",
    review="Code Review",
    blocked="Blocked",
    parked="On Hold",
    ready_qa="Ready for Test",
    qa="In Test",
    done="Resolved",
    closed="Closed",
    reopen_to="Reopened",
)


SITES: tuple[SiteDef, ...] = (
    SiteDef(
        host=CLOUD,
        deployment="cloud",
        share=0.64,
        growth=1.0,
        statuses=CLOUD_STATUSES,
        issue_types=_CLOUD_TYPES,
        priorities=(("1", "Highest"), ("2", "High"), ("3", "Medium"), ("4", "Low"), ("5", "Lowest")),
        resolutions={"Done": "10000", "Won't Do": "10001", "Duplicate": "10002", "Cannot Reproduce": "10003"},
        done_resolution="Done",
        cancel_resolutions=("Won't Do", "Won't Do", "Duplicate", "Cannot Reproduce"),
        users=CLOUD_USERS,
        projects={
            "FLEET": ProjectDef(
                "FLEET",
                "10000",
                "Fleet Starter",
                _CLOUD_FLOW,
                devs=("jbecker", "lschmidt", "amehta", "siyer", "kreddy"),
                qa=(),
                leads=("zwagner",),
            ),
            "ENT": ProjectDef(
                "ENT",
                "10001",
                "Enterprise Suite",
                _ENT_FLOW,
                devs=("mthompson", "crivera", "echen", "jbrooks", "fkruger", "myilmaz"),
                qa=("pnatarajan",),
                leads=("ahoffmann", "mthompson"),
            ),
            "PAY": ProjectDef(
                "PAY",
                "10002",
                "Payments",
                _PAY_FLOW,
                devs=("toliveira", "nokafor", "rbanerjee", "lschmidt"),
                qa=("pnatarajan", "siyer"),
                leads=("ahoffmann",),
            ),
        },
        components={
            "Onboarding": "10100",
            "Vehicle Tracking": "10101",
            "Driver App": "10102",
            "Pricing Page": "10103",
            "Ops Dispatch": "10110",
            "Ops Reporting": "10111",
            "Ops Console": "10112",
            "SSO & Identity": "10120",
            "Admin Console": "10121",
            "Audit Log": "10122",
            "Invoicing": "10130",
            "Payment Methods": "10131",
            "Dunning": "10132",
            "Tax": "10133",
        },
        routes=(
            Route(
                "fleet",
                "FLEET",
                "smb_fleet",
                ("Onboarding", "Vehicle Tracking", "Driver App", "Pricing Page"),
                0.85,
                None,
                lambda x, mig: 0.40 * (0.6 + 1.0 * x),
            ),
            Route(
                "ent-ops",
                "ENT",
                "enterprise_ops",
                ("Ops Dispatch", "Ops Reporting", "Ops Console"),
                1.0,
                None,
                lambda x, mig: 0.27,
            ),
            Route(
                "ent-it",
                "ENT",
                "enterprise_it",
                ("SSO & Identity", "Admin Console", "Audit Log"),
                1.0,
                None,
                lambda x, mig: 0.04 + 0.10 * x,
            ),
            Route(
                "ent-it-compliance",
                "ENT",
                "enterprise_it",
                ("Ops Reporting",),
                1.0,
                "compliance",
                lambda x, mig: 0.012 + 0.02 * x,
            ),
            Route("ent-unassigned", "ENT", None, (), 0.0, None, lambda x, mig: 0.012),
            Route(
                "pay",
                "PAY",
                "payments",
                ("Invoicing", "Payment Methods", "Dunning", "Tax"),
                0.9,
                None,
                lambda x, mig: 0.15 * (2.2 if mig else 1.0),
            ),
        ),
        bots=("automation", "github"),
    ),
    SiteDef(
        host=DC,
        deployment="datacenter",
        share=0.36,
        growth=0.4,
        statuses=DC_STATUSES,
        issue_types=_DC_TYPES,
        priorities=(("1", "Blocker"), ("2", "Critical"), ("3", "Major"), ("4", "Minor"), ("5", "Trivial")),
        resolutions={
            "Fixed": "1",
            "Won't Fix": "2",
            "Duplicate": "3",
            "Incomplete": "4",
            "Cannot Reproduce": "5",
        },
        done_resolution="Fixed",
        cancel_resolutions=("Won't Fix", "Won't Fix", "Duplicate", "Cannot Reproduce", "Incomplete"),
        users=DC_USERS,
        projects={
            "TEL": ProjectDef(
                "TEL",
                "10100",
                "Telematics Platform",
                _DC_FLOW,
                devs=("a.kumar", "p.sharma", "v.rao", "d.fischer"),
                qa=("s.wolf",),
                leads=("d.fischer",),
            ),
            "CORE": ProjectDef(
                "CORE",
                "10101",
                "Core Services",
                _DC_FLOW,
                devs=("l.nowak", "m.garcia", "o.ali", "k.oconnor"),
                qa=("s.wolf",),
                leads=("m.garcia",),
                has_epics=False,
            ),
        },
        components={
            "Telemetry Ingest": "10200",
            "Maps": "10201",
            "Routing Engine": "10202",
            "Device Firmware": "10203",
            "Billing Engine": "10210",
            "Billing Exports": "10211",
            "Telemetry Storage": "10212",
            "Notifications": "10213",
        },
        routes=(
            Route(
                "tel",
                "TEL",
                "platform",
                ("Telemetry Ingest", "Maps", "Routing Engine", "Device Firmware"),
                0.9,
                None,
                lambda x, mig: 0.60,
            ),
            Route(
                "core-billing",
                "CORE",
                "payments",
                ("Billing Engine", "Billing Exports"),
                1.0,
                None,
                lambda x, mig: 0.20 * (2.0 if mig else 1.0),
            ),
            Route("core-telemetry", "CORE", "platform", ("Telemetry Storage",), 1.0, None, lambda x, mig: 0.10),
            Route("core-notifications", "CORE", None, ("Notifications",), 1.0, None, lambda x, mig: 0.05),
            Route(
                "core-invoicing",
                "CORE",
                "payments",
                (),
                0.0,
                "invoicing",
                lambda x, mig: 0.03 * (2.0 if mig else 1.0),
            ),
        ),
        renamed={"10104": ("In QA", 0.4)},
        bots=("jira-bot",),
    ),
)


@dataclass(frozen=True)
class StreamProfile:
    """Flow-time profile: lognormal medians in hours (sigma shared), probabilities per item."""

    start_delay: float
    select_wait: float
    progress: float
    review: float
    ready_qa: float
    qa: float
    blocked: float
    p_blocked: float
    p_bounce: float
    p_qa_fail: float
    mix: tuple[float, float, float, float]  # feature, defect, risk, debt


PROFILES = {
    "smb_fleet": StreamProfile(
        start_delay=60,
        select_wait=24,
        progress=20,
        review=6,
        ready_qa=12,
        qa=6,
        blocked=40,
        p_blocked=0.05,
        p_bounce=0.15,
        p_qa_fail=0.10,
        mix=(0.62, 0.25, 0.04, 0.09),
    ),
    "enterprise_ops": StreamProfile(
        start_delay=200,
        select_wait=72,
        progress=40,
        review=20,
        ready_qa=30,
        qa=12,
        blocked=90,
        p_blocked=0.12,
        p_bounce=0.20,
        p_qa_fail=0.15,
        mix=(0.52, 0.30, 0.05, 0.13),
    ),
    "enterprise_it": StreamProfile(
        start_delay=300,
        select_wait=96,
        progress=50,
        review=80,
        ready_qa=40,
        qa=20,
        blocked=120,
        p_blocked=0.20,
        p_bounce=0.30,
        p_qa_fail=0.15,
        mix=(0.45, 0.14, 0.31, 0.10),
    ),
    "payments": StreamProfile(
        start_delay=150,
        select_wait=48,
        progress=36,
        review=16,
        ready_qa=40,
        qa=18,
        blocked=72,
        p_blocked=0.10,
        p_bounce=0.18,
        p_qa_fail=0.20,
        mix=(0.42, 0.24, 0.14, 0.20),
    ),
    "platform": StreamProfile(
        start_delay=180,
        select_wait=48,
        progress=36,
        review=30,
        ready_qa=40,
        qa=12,
        blocked=80,
        p_blocked=0.10,
        p_bounce=0.20,
        p_qa_fail=0.12,
        mix=(0.36, 0.20, 0.10, 0.34),
    ),
    None: StreamProfile(
        start_delay=240,
        select_wait=48,
        progress=30,
        review=24,
        ready_qa=30,
        qa=12,
        blocked=80,
        p_blocked=0.10,
        p_bounce=0.15,
        p_qa_fail=0.10,
        mix=(0.50, 0.35, 0.05, 0.10),
    ),
}

_VOCAB = {
    "smb_fleet": (
        ("Onboarding", "Trial", "Vehicle list", "Live map", "Driver app", "Pricing page", "Sign-up"),
        ("vehicles", "drivers", "trip history", "fuel cards", "geofences", "invoices", "invites"),
    ),
    "enterprise_ops": (
        ("Dispatch board", "Shift planner", "Ops reporting", "Depot view", "Ops console", "SLA view"),
        ("routes", "depots", "shift rosters", "KPI exports", "driver assignments", "work orders"),
    ),
    "enterprise_it": (
        ("SSO", "SCIM provisioning", "Audit log", "Admin console", "Data residency", "Role model"),
        (
            "SAML assertions",
            "audit events",
            "API tokens",
            "user roles",
            "retention policies",
            "IP allow-lists",
        ),
    ),
    "payments": (
        ("Invoicing", "Card payments", "SEPA mandates", "Dunning", "Tax engine", "Billing exports"),
        ("invoices", "credit notes", "payment methods", "VAT rates", "refunds", "usage records"),
    ),
    "platform": (
        ("Telemetry ingest", "Maps", "Routing engine", "Device firmware", "Telemetry storage", "Event bus"),
        ("GPS pings", "CAN frames", "tiles", "ETA estimates", "OTA updates", "partitions"),
    ),
    None: (
        ("Notifications", "Email templates", "Push service", "Misc"),
        ("emails", "push messages", "SMS", "webhooks"),
    ),
}
_FEATURE_VERBS = ("Add", "Support", "Allow bulk edit of", "Show", "Export", "Filter", "Improve", "Import")
_BUG_SYMPTOMS = (
    "fails to load",
    "shows wrong totals for",
    "times out on",
    "duplicates",
    "drops",
    "crashes with empty",
    "sorts incorrectly",
)
_RISK_PHRASES = (
    "CVE in dependency used by",
    "Enforce TLS 1.2 for",
    "Rotate secrets for",
    "Pen-test finding in",
    "Mask PII in",
)
_DEBT_PHRASES = (
    "Refactor",
    "Remove legacy code for",
    "Upgrade framework under",
    "Add tests for",
    "Split monolith module for",
)
_NOISE_LABELS = ("customer-reported", "quick-win", "needs-design", "okr", "regression", "ux")
_DESCRIPTIONS = (
    "Acceptance criteria updated.",
    "Added steps to reproduce.",
    "Linked design and API contract.",
    "Clarified scope after refinement.",
    "Added screenshots and logs.",
)


def _account_id(login: str) -> str:
    return hashlib.sha1(f"acme-mobility/{login}".encode()).hexdigest()[:24]


# --------------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------------


class _Stop(Exception):
    """The next event would fall after the export instant: the item stays where it is."""


class _SiteGen:
    """Generates one site's issues in creation order (keys and ids increase with creation time)."""

    def __init__(
        self,
        site: SiteDef,
        n_items: int,
        seed: int,
        start_ms: int,
        end_ms: int,
        holidays: set[int],
        clock: _Clock,
    ):
        self.site = site
        self.n = n_items
        self.rng = random.Random(f"flowmart-demo:{seed}:{site.host}")
        self.start_ms, self.end_ms = start_ms, end_ms
        self.span = end_ms - start_ms
        self.holidays = holidays
        self.clock = clock
        host = site.host
        cloud = site.deployment == "cloud"
        self.cloud = cloud
        self.api = "3" if cloud else "2"
        self.base = f"https://{host}/rest/api/2"
        # pre-built JSON fragments (shared references are fine for json.dumps)
        self.status_by_name: dict[str, StatusDef] = {s.name: s for s in site.statuses}
        self.status_obj = {}
        for s in site.statuses:
            cat = CATEGORIES[s.category]
            self.status_obj[s.name] = {
                "self": f"{self.base}/status/{s.id}",
                "description": s.description,
                "iconUrl": f"https://{host}/images/icons/statuses/generic.png",
                "name": s.name,
                "id": s.id,
                "statusCategory": {"self": f"{self.base}/statuscategory/{cat['id']}", **cat},
            }
        self.type_obj = {}
        for name, (tid, desc, level) in site.issue_types.items():
            obj = {
                "self": f"{self.base}/issuetype/{tid}",
                "id": tid,
                "description": desc,
                "name": name,
                "subtask": level < 0,
            }
            if cloud:
                obj["hierarchyLevel"] = level
            self.type_obj[name] = obj
        self.prio_obj = [
            {"self": f"{self.base}/priority/{pid}", "name": pname, "id": pid} for pid, pname in site.priorities
        ]
        self.res_obj = {
            name: {"self": f"{self.base}/resolution/{rid}", "id": rid, "name": name}
            for name, rid in site.resolutions.items()
        }
        self.comp_obj = {
            name: {"self": f"{self.base}/component/{cid}", "id": cid, "name": name}
            for name, cid in site.components.items()
        }
        self.proj_obj = {
            p.key: {
                "self": f"{self.base}/project/{p.id}",
                "id": p.id,
                "key": p.key,
                "name": p.name,
                "projectTypeKey": "software",
            }
            for p in site.projects.values()
        }
        self.users = {}
        for login, u in site.users.items():
            if cloud:
                acc = _account_id(login)
                obj = {
                    "self": f"{self.base}/user?accountId={acc}",
                    "accountId": acc,
                    "displayName": u.display_name,
                    "active": True,
                    "timeZone": u.zone,
                    "accountType": "app" if u.bot else "atlassian",
                }
                ref = acc
            else:
                obj = {
                    "self": f"{self.base}/user?username={login}",
                    "name": login,
                    "key": f"JIRAUSER{10100 + list(site.users).index(login)}",
                    "displayName": u.display_name,
                    "active": True,
                    "timeZone": u.zone,
                }
                ref = login
            self.users[login] = (obj, ZONES[u.zone], ref, u.bot)
        self.renamed = {
            sid: (old, start_ms + int(x * self.span) // DAY * DAY + 10 * HOUR) for sid, (old, x) in site.renamed.items()
        }
        # arrivals: day-level intensity -> cumulative, routes per day -> cumulative weights
        self.ndays = max(1, self.span // DAY)
        self.mig_lo, self.mig_hi = 0.38, 0.50  # the 2025 payment-provider migration (x of the history)
        cum, total = [], 0.0
        self.route_cum = []
        for d in range(self.ndays):
            x = (d + 0.5) / self.ndays
            day_abs = start_ms // DAY + d
            wd = (day_abs + 3) % 7
            dt = date(1970, 1, 1) + timedelta(days=day_abs)
            w = 1.0 + site.growth * x
            if wd >= 5:
                w *= 0.06
            if day_abs in holidays:
                w *= 0.15
            if (dt.month == 12 and dt.day >= 20) or (dt.month == 1 and dt.day <= 2):
                w *= 0.35
            if dt.month == 8:
                w *= 0.8
            total += w
            cum.append(total)
            mig = self.mig_lo <= x < self.mig_hi
            rc, acc = [], 0.0
            for r in site.routes:
                acc += r.weight(x, mig)
                rc.append(acc)
            self.route_cum.append(rc)
        self.day_cum = cum
        # counters and bounded look-back buffers
        self.issue_id = 10000
        self.hist_id = 100000 if cloud else 300000
        self.key_no = {p: 0 for p in site.projects}
        self.recent_parents = {p: deque(maxlen=40) for p in site.projects}
        self.recent_epics = {p: deque(maxlen=8) for p in site.projects}
        # slowdown window for enterprise_ops: the first half of the year of (end - 183 days)
        slow_year = (date(1970, 1, 1) + timedelta(days=(end_ms // DAY) - 183)).year
        self.slow_lo, self.slow_hi = _epoch_ms(slow_year, 1, 1), _epoch_ms(slow_year, 7, 1)
        self.stats = {"status_changes": 0, "histories": 0, "truncated": 0, "reopened": 0, "canceled": 0}

    # -- time helpers ---------------------------------------------------------------------------

    def _snap(self, ms: int, zone: _Zone) -> int:
        """Move an instant forward into the author's working hours (Mon-Fri 08-18 local, no holidays)."""
        off = zone.offset(ms)
        local = ms + off
        day, rem = divmod(local, DAY)
        hour = rem // HOUR
        hol = self.holidays
        if (day + 3) % 7 < 5 and day not in hol and 8 <= hour < 18:
            return ms
        if hour >= 8 or (day + 3) % 7 >= 5 or day in hol:
            day += 1
        while (day + 3) % 7 >= 5 or day in hol:
            day += 1
        local = day * DAY + 8 * HOUR + int(self.rng.random() * 100 * MINUTE)
        return local - zone.offset(local - off)

    # -- one issue ------------------------------------------------------------------------------

    def issue(self, index: int) -> tuple[dict, list[dict] | None]:
        rng = self.rng
        site = self.site
        # creation instant: inverse CDF of the arrival intensity, monotone in index
        u = (index + rng.random()) / self.n * self.day_cum[-1]
        d = min(bisect.bisect_left(self.day_cum, u), self.ndays - 1)
        prev = self.day_cum[d - 1] if d else 0.0
        frac = (u - prev) / max(self.day_cum[d] - prev, 1e-12)
        created = self.start_ms + d * DAY + 6 * HOUR + int(min(max(frac, 0.0), 1.0) * 13 * HOUR)
        x = (created - self.start_ms) / self.span
        route = rng.choices(site.routes, cum_weights=self.route_cum[d])[0]
        proj = site.projects[route.project]
        stream = route.stream
        prof = PROFILES[stream]
        mig = self.mig_lo <= x < self.mig_hi
        # enterprise_ops is overloaded in the slow window: waits grow for work happening then, and items
        # created then are more often defects
        slow_stream = stream == "enterprise_ops"
        slow = slow_stream and self.slow_lo <= created < self.slow_hi
        # the platform team introduced WIP limits about 60% into the history: reviews wait half as long
        review_factor = 0.4 if stream == "platform" and x > 0.6 else 1.0

        # issue type and labels
        labels: list[str] = []
        parent = None
        epic_link = None
        r = rng.random()
        if r < 0.012 and proj.has_epics:
            itype, kind = "Epic", "epic"
        elif r < 0.045 and self.recent_parents[proj.key]:
            itype, kind = "Sub-task", "subtask"
            parent = rng.choice(self.recent_parents[proj.key])
        elif r < 0.055:
            itype, kind = "Spike", "spike"
        else:
            fmix = prof.mix
            if slow:  # quality slips while the stream is overloaded
                fmix = (fmix[0] - 0.10, fmix[1] + 0.10, fmix[2], fmix[3])
            elif mig and stream == "payments":
                fmix = (0.25, 0.20, 0.20, 0.35)
            kind = rng.choices(("feature", "defect", "risk", "debt"), fmix)[0]
            r2 = rng.random()
            if kind == "feature":
                if self.cloud:
                    itype = "Story" if r2 < 0.8 else "Task"
                else:
                    itype = "Story" if r2 < 0.55 else ("Improvement" if r2 < 0.8 else "Task")
            elif kind == "defect":
                itype = "Bug"
            elif kind == "risk":
                if r2 < 0.7:
                    itype = "Vulnerability"
                else:
                    itype = "Bug" if r2 < 0.9 else "Task"
                    labels.append("security")
            else:
                if self.cloud and r2 < 0.75:
                    itype = "Tech Debt"
                else:
                    itype = "Task"
                    labels.append("tech-debt")
        if parent is not None:
            components = list(parent[4])
            labels = [lb for lb in parent[5] if lb in ("compliance", "invoicing")]
        else:
            components = [rng.choice(route.components)] if route.components and rng.random() < route.component_p else []
            if route.forced_label:
                labels.append(route.forced_label)
        if rng.random() < 0.25:
            labels.append(rng.choice(_NOISE_LABELS))
            if labels.count(labels[-1]) > 1:
                labels.pop()

        self.issue_id += 1
        issue_id = str(self.issue_id)
        self.key_no[proj.key] += 1
        key = f"{proj.key}-{self.key_no[proj.key]}"
        summary = self._summary(kind, stream, rng)
        if kind not in ("subtask", "epic") and itype != "Spike":
            epics = self.recent_epics[proj.key]
            if epics and itype in ("Story", "Task", "Improvement") and rng.random() < 0.35:
                ep = rng.choice(epics)
                if self.cloud:
                    parent = ep
                else:
                    epic_link = ep[1]

        dev = rng.choice(proj.devs)
        qa = rng.choice(proj.qa) if proj.qa else dev
        lead = rng.choice(proj.leads)
        reporter = rng.choice((dev, qa, lead, lead, rng.choice(proj.devs)))
        prio_idx = rng.choices((0, 1, 2, 3, 4), (0.03, 0.17, 0.6, 0.15, 0.05))[0]
        if kind in ("risk", "defect") and rng.random() < 0.3:
            prio_idx = max(0, prio_idx - 1)

        # ---- lifecycle: list of [t, author, items] (status histories) -------------------------
        wf = proj.workflow
        scale = 4.0 if kind == "epic" else (0.5 if kind == "subtask" else 1.0)
        events: list[list] = []
        state = {"t": created, "cur": wf.initial, "assigned": False, "resolution": None, "resolved_at": None}
        end = self.end_ms
        users = self.users
        res_obj = self.res_obj
        cancel_res = site.cancel_resolutions

        def wait(hours: float, sigma: float = 0.8, slow_factor: float = 1.0) -> None:
            h = hours * scale * math.exp(rng.gauss(0.0, sigma))
            if slow_stream and self.slow_lo <= state["t"] < self.slow_hi:
                h *= slow_factor
            state["t"] += int(h * HOUR) + 1000

        def move(to: str, who: str, resolution: str | None = None, clear_resolution: bool = False) -> None:
            _, zone, _, bot = users[who]
            t = state["t"]
            if not bot:
                t = self._snap(t, zone)
            if events and t <= events[-1][0]:
                t = events[-1][0] + 1000
            t += t & 1  # status histories at even, other histories at odd milliseconds: never equal
            if t >= end - MINUTE:
                raise _Stop
            state["t"] = t
            frm = self.status_by_name[state["cur"]]
            dst = self.status_by_name[to]
            items = [self._status_item(frm, dst, t)]
            if resolution:
                items.append(self._field_item("resolution", "jira", None, None, res_obj[resolution]["id"], resolution))
                state["resolution"], state["resolved_at"] = resolution, t
            elif clear_resolution and state["resolution"]:
                old = state["resolution"]
                items.append(self._field_item("resolution", "jira", res_obj[old]["id"], old, None, None))
                state["resolution"], state["resolved_at"] = None, None
            if not state["assigned"] and dst.category != "new" and not bot:
                state["assigned"] = True
                a_item = self._field_item("assignee", "jira", None, None, users[dev][2], site.users[dev].display_name)
                if rng.random() < 0.5:
                    items.append(a_item)
                else:
                    events.append([t, who, items])
                    items = [a_item]
                    t += 1000 + 2 * int(rng.random() * 25_000)
                    if t >= end - MINUTE:
                        state["cur"] = to
                        return
            events.append([t, who, items])
            state["cur"] = to

        def finish(who: str) -> None:
            move(wf.done, who, resolution=site.done_resolution)

        def cancel(who: str, from_backlog: bool) -> None:
            res = rng.choice(cancel_res)
            if itype != "Bug" and res == "Cannot Reproduce":
                res = cancel_res[0]
            target = wf.cancel_status or wf.closed or wf.done
            if wf.closed and not from_backlog and rng.random() < 0.5:
                target = wf.done  # DC: Resolved as Won't Fix
            move(target, who, resolution=res)

        flags = {"reopened": False, "canceled": False}
        try:
            r = rng.random()
            delay = prof.start_delay
            if rng.random() < 0.12:
                delay *= 40  # backlog rot: many of these are never started before the export
            wait(delay, 1.1)
            if kind == "epic":
                move(wf.progress, lead)
                wait(24 * 30, 0.6)
                finish(lead)
            elif r < 0.045:
                flags["canceled"] = True
                cancel(lead, from_backlog=True)  # To Do -> Done (Won't Do) / Open -> Closed (Duplicate)
            elif r < 0.075:
                finish(dev)  # straight from To Do to Done: fixed on the side
            else:
                if wf.selected:
                    move(wf.selected, lead)
                    wait(prof.select_wait)
                move(wf.progress, dev)
                for bounce in range(5):
                    if rng.random() < prof.p_blocked:
                        wait(prof.progress * 0.4)
                        move(wf.blocked, dev)
                        wait(prof.blocked, 0.9, slow_factor=2.5)
                        move(wf.progress, dev)
                    if rng.random() < 0.015:
                        wait(prof.progress * 0.3)
                        move(wf.parked, lead)
                        wait(24 * 20, 0.7)
                        move(wf.progress, dev)
                    if rng.random() < 0.02:
                        wait(prof.progress * 0.5)
                        flags["canceled"] = True
                        cancel(lead, from_backlog=False)
                        break
                    wait(prof.progress * (0.5 if bounce else 1.0), 0.9, slow_factor=1.5)
                    review_author = rng.choice(site.bots) if (self.cloud and rng.random() < 0.3) else dev
                    move(wf.review, review_author)
                    wait(prof.review * review_factor, 0.9, slow_factor=3.0)
                    if bounce < 3 and rng.random() < prof.p_bounce:
                        move(wf.progress, dev)  # backward move: review sent it back
                        continue
                    if wf.qa:
                        move(wf.ready_qa, dev)
                        wait(prof.ready_qa * review_factor, 0.9, slow_factor=3.0)
                        move(wf.qa, qa)
                        wait(prof.qa)
                        if bounce < 3 and rng.random() < prof.p_qa_fail:
                            move(wf.progress, qa)
                            continue
                    finish(qa if wf.qa else dev)
                    break
            if state["cur"] == wf.done and state["resolution"] == site.done_resolution and rng.random() < 0.045:
                wait(24 * 6, 1.0)
                flags["reopened"] = True
                move(wf.reopen_to, reporter, clear_resolution=True)
                if wf.reopen_to != wf.progress:
                    wait(prof.select_wait * 0.5)
                    move(wf.progress, dev)
                wait(prof.progress * 0.6)
                move(wf.review, dev)
                wait(prof.review * 0.5)
                finish(dev)
            if wf.closed and state["cur"] == wf.done and rng.random() < 0.6:
                wait(24 * 4, 1.0)
                move(wf.closed, rng.choice(site.bots) if rng.random() < 0.5 else lead)
        except _Stop:
            pass

        # ---- other field changes, and churn for the few issues with > 100 histories ------------
        last = events[-1][0] if events else created
        lo = created + MINUTE
        hi = min(end - 10 * MINUTE, last + 14 * DAY if events else created + 45 * DAY)
        extras: list[list] = []
        final_prio = prio_idx
        if hi > lo + HOUR:
            n_extra = rng.choices((0, 1, 2, 3, 4, 6), (0.25, 0.3, 0.2, 0.12, 0.08, 0.05))[0]
            hot = hi - lo > 3 * DAY and rng.random() < 0.012
            if hot:
                n_extra = 100 + rng.randint(1, 90)
            people = (dev, qa, lead, reporter)
            label_done = prio_done = False
            sprint0 = int((lo - self.start_ms) // (14 * DAY)) + 1
            for j in range(n_extra):
                t = (lo + int(rng.random() * (hi - lo))) | 1
                who = rng.choice(people)
                k = rng.random()
                if hot and k < 0.55 or (not hot and k < 0.3):
                    item = self._field_item(
                        "Rank",
                        "custom",
                        "",
                        "",
                        "",
                        "Ranked higher" if k < 0.4 else "Ranked lower",
                        field_id="customfield_10019",
                    )
                elif k < 0.7:
                    item = self._field_item(
                        "description",
                        "jira",
                        None,
                        rng.choice(_DESCRIPTIONS),
                        None,
                        rng.choice(_DESCRIPTIONS),
                    )
                elif k < 0.8:
                    n = sprint0 + int((t - lo) // (14 * DAY))
                    item = self._field_item(
                        "Sprint",
                        "custom",
                        str(4000 + n - 1) if j else "",
                        f"{proj.key} Sprint {n - 1}" if j else "",
                        str(4000 + n),
                        f"{proj.key} Sprint {n}",
                        field_id="customfield_10020",
                    )
                elif k < 0.87 and not label_done and labels:
                    label_done = True
                    item = self._field_item("labels", "jira", None, " ".join(labels[:-1]), None, " ".join(labels))
                elif k < 0.94 and not prio_done:
                    prio_done = True
                    final_prio = max(0, prio_idx - 1) if prio_idx > 1 else prio_idx + 1
                    p0, p1 = self.prio_obj[prio_idx], self.prio_obj[final_prio]
                    item = self._field_item("priority", "jira", p0["id"], p0["name"], p1["id"], p1["name"])
                else:
                    item = self._field_item(
                        "Story Points",
                        "custom",
                        None,
                        None,
                        str(rng.choice((1, 2, 3, 5, 8))),
                        str(rng.choice((1, 2, 3, 5, 8))),
                        field_id="customfield_10016",
                    )
                extras.append([t, who, [item]])
        if extras:
            histories_raw = sorted(events + extras, key=lambda h: h[0])
            # strictly increasing instants within an issue: drop the (rare) extra edit at the same ms
            histories_raw = [h for i, h in enumerate(histories_raw) if i == 0 or h[0] != histories_raw[i - 1][0]]
        else:
            histories_raw = events

        histories = []
        fmt = self.clock.fmt
        for t, who, items in histories_raw:
            self.hist_id += 1
            uobj, zone = users[who][0], users[who][1]
            histories.append({"id": str(self.hist_id), "author": uobj, "created": fmt(t, zone), "items": items})
        n_status = sum(1 for e in events for it in e[2] if it["field"] == "status")
        self.stats["status_changes"] += n_status
        self.stats["histories"] += len(histories)
        self.stats["reopened"] += flags["reopened"]
        self.stats["canceled"] += flags["canceled"]

        # ---- the issue as the search API returns it ----------------------------------------------
        rep_obj, rep_zone = users[reporter][0], users[reporter][1]
        updated = histories_raw[-1][0] if histories_raw else created
        cur = state["cur"]
        fields = {
            "summary": summary,
            "issuetype": self.type_obj[itype],
            "status": self.status_obj[cur],
            "project": self.proj_obj[proj.key],
            "priority": self.prio_obj[final_prio],
            "assignee": users[dev][0] if state["assigned"] or rng.random() < 0.3 else None,
            "reporter": rep_obj,
            "created": fmt(created, rep_zone),
            "updated": fmt(updated, rep_zone),
            "resolution": res_obj[state["resolution"]] if state["resolution"] else None,
            "resolutiondate": fmt(state["resolved_at"], rep_zone) if state["resolution"] else None,
            "labels": labels,
            "components": [self.comp_obj[c] for c in components],
        }
        if parent is not None:
            fields["parent"] = {
                "id": parent[0],
                "key": parent[1],
                "self": f"{self.base}/issue/{parent[0]}",
                "fields": {"summary": parent[2], "issuetype": parent[3]},
            }
        if not self.cloud:
            fields["customfield_10101"] = epic_link  # DC: 'Epic Link' custom field, not `parent`
        changelog, pages = _changelog(histories, self.cloud, site.host, self.api, key)
        if pages:
            self.stats["truncated"] += 1
        issue = {
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": issue_id,
            "self": f"{self.base}/issue/{issue_id}",
            "key": key,
            "fields": fields,
            "changelog": changelog,
        }

        entry = (issue_id, key, summary, self.type_obj[itype], tuple(components), tuple(labels))
        if kind == "epic":
            self.recent_epics[proj.key].append(entry)
        elif kind != "subtask":
            self.recent_parents[proj.key].append(entry)
        return issue, pages

    # -- fragments ------------------------------------------------------------------------------

    def _status_item(self, frm: StatusDef, dst: StatusDef, t: int) -> dict:
        fs, ts = frm.name, dst.name
        if self.renamed:
            if frm.id in self.renamed and t < self.renamed[frm.id][1]:
                fs = self.renamed[frm.id][0]
            if dst.id in self.renamed and t < self.renamed[dst.id][1]:
                ts = self.renamed[dst.id][0]
        return self._field_item("status", "jira", frm.id, fs, dst.id, ts)

    def _field_item(self, name, fieldtype, frm, frm_s, to, to_s, field_id: str | None = None) -> dict:
        if self.cloud:
            return {
                "field": name,
                "fieldtype": fieldtype,
                "fieldId": field_id or name,
                "from": frm,
                "fromString": frm_s,
                "to": to,
                "toString": to_s,
            }
        # Jira Data Center histories carry no fieldId
        return {
            "field": name,
            "fieldtype": fieldtype,
            "from": frm,
            "fromString": frm_s,
            "to": to,
            "toString": to_s,
        }

    @staticmethod
    def _summary(kind: str, stream: str | None, rng: random.Random) -> str:
        areas, objects = _VOCAB[stream]
        area, obj = rng.choice(areas), rng.choice(objects)
        if kind == "defect":
            return f"{area} {rng.choice(_BUG_SYMPTOMS)} {obj}"
        if kind == "risk":
            return f"{rng.choice(_RISK_PHRASES)} {area.lower()} ({obj})"
        if kind == "debt":
            return f"{rng.choice(_DEBT_PHRASES)} {area.lower()}"
        if kind == "epic":
            return f"{area}: {rng.choice(_FEATURE_VERBS).lower()} {obj} at scale"
        if kind == "spike":
            return f"Spike: evaluate options for {obj} in {area.lower()}"
        return f"{area}: {rng.choice(_FEATURE_VERBS).lower()} {obj}"

    def status_list(self) -> list[dict]:
        out = []
        for s in self.site.statuses:
            obj = self.status_obj[s.name]
            out.append(
                {
                    "self": obj["self"],
                    "description": obj["description"],
                    "iconUrl": obj["iconUrl"],
                    "name": s.name,
                    "untranslatedName": s.name,
                    "id": s.id,
                    "statusCategory": obj["statusCategory"],
                }
            )
        return out


def _history_start(end: date) -> date:
    """Thirty months before `end` (same day of month, clamped)."""
    months = end.year * 12 + end.month - 1 - 30
    y, m = divmod(months, 12)
    return date(y, m + 1, min(end.day, 28))


def _jira_ms(text: str) -> int:
    """A Jira timestamp ('2026-03-02T10:15:00.000+0100') as epoch milliseconds."""
    return int(tracker_time(text).timestamp() * 1000)


def _all_histories(issue: dict, pages: list[dict] | None, cloud: bool) -> list[dict]:
    """Every history of a generated issue, oldest first (its changelog pages when truncated)."""
    if pages:
        return [h for page in pages for h in page["values"]]
    embedded = issue["changelog"]["histories"]
    return embedded[::-1] if cloud else list(embedded)


def _changelog(histories: list[dict], cloud: bool, host: str, api: str, key: str) -> tuple[dict, list[dict] | None]:
    """The embedded changelog and, when truncated, the changelog pages of ``histories`` (oldest first), as
    the site's API gives them (Cloud: newest first, the newest 100 embedded; Data Center: oldest first)."""
    total = len(histories)
    truncated = total > EMBEDDED_HISTORY_LIMIT
    embedded = histories[::-1][:EMBEDDED_HISTORY_LIMIT] if cloud else histories[:EMBEDDED_HISTORY_LIMIT]
    changelog = {
        "startAt": 0,
        "maxResults": EMBEDDED_HISTORY_LIMIT if truncated else total,
        "total": total,
        "histories": embedded,
    }
    if not truncated:
        return changelog, None
    pages = []
    url = f"https://{host}/rest/api/{api}/issue/{key}/changelog"
    for start in range(0, total, CHANGELOG_PAGE_SIZE):
        last_page = start + CHANGELOG_PAGE_SIZE >= total
        page = {"self": f"{url}?startAt={start}&maxResults={CHANGELOG_PAGE_SIZE}"}
        if not last_page:
            page["nextPage"] = f"{url}?startAt={start + CHANGELOG_PAGE_SIZE}&maxResults={CHANGELOG_PAGE_SIZE}"
        page.update(
            {
                "maxResults": CHANGELOG_PAGE_SIZE,
                "startAt": start,
                "total": total,
                "isLast": last_page,
                "values": histories[start : start + CHANGELOG_PAGE_SIZE],
            }
        )
        pages.append(page)
    return changelog, pages


def _as_exported_at(gen: _SiteGen, issue: dict, pages: list[dict] | None, cut_ms: int):
    """The issue as an export at ``cut_ms`` (before the timeline's end) shows it: None when created
    later; else its histories before the cut, and its status, resolution and `updated` at the cut. An issue
    with nothing after the cut is returned unchanged, so its snapshot equals the one in any later export."""
    fields = issue["fields"]
    if _jira_ms(fields["created"]) >= cut_ms:
        return None
    histories = _all_histories(issue, pages, gen.cloud)
    kept = [h for h in histories if _jira_ms(h["created"]) < cut_ms]
    if len(kept) == len(histories):
        return issue, pages
    fields = dict(fields)
    status_items = [i for h in histories for i in h["items"] if i["field"] == "status"]
    kept_status = [i for h in kept for i in h["items"] if i["field"] == "status"]
    status_id = kept_status[-1]["to"] if kept_status else status_items[0]["from"] if status_items else None
    if status_id is not None:
        fields["status"] = next(o for o in gen.status_obj.values() if o["id"] == status_id)
    resolutions = [(h, i) for h in kept for i in h["items"] if i["field"] == "resolution"]
    if resolutions and resolutions[-1][1]["to"]:
        h, item = resolutions[-1]
        fields["resolution"] = next(o for o in gen.res_obj.values() if o["id"] == item["to"])
        fields["resolutiondate"] = h["created"]
    else:
        fields["resolution"], fields["resolutiondate"] = None, None
    fields["updated"] = kept[-1]["created"] if kept else fields["created"]
    changelog, kept_pages = _changelog(kept, gen.cloud, gen.site.host, gen.api, issue["key"])
    return {**issue, "fields": fields, "changelog": changelog}, kept_pages


def _dump(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def generate(
    out_dir: str | Path,
    items: int = 5000,
    seed: int = 42,
    end: date = EXPORT_END,
    page_size: int = 100,
    progress: Callable[[int, int], None] | None = None,
    since: date | None = None,
    compress: bool = False,
    resume: bool = False,
) -> dict:
    """Write the demo Jira exports under ``out_dir/jira/<site>/`` and return a summary.

    The company's timeline runs 30 months up to 2026-11-15 (``EXPORT_END``; up to ``end`` when that is
    later), with ``items`` issues over it. ``end`` is the export instant (00:00 UTC): the export holds the
    issues created before it, with their histories before it and their status, resolution and `updated`
    at that moment - so exports at successive ``end`` dates are successive exports of the same company
    (same issues, ids and keys). ``since`` writes only the issues updated at or after it (00:00 UTC), as a
    JQL ``updated >= since`` export would. ``compress`` writes every file gzip-compressed (``.json.gz``,
    about a sixteenth of the bytes), as landing reads them. Same arguments give byte-identical files.
    ``progress(done, total)`` is called after every search page.

    The generator is one random stream per site (each issue draws from where the one before stopped), so
    it cannot be split; a long run (ten million items: over an hour) saves its place in ``out_dir`` every
    ``CHECKPOINT_SECONDS`` (:data:`STATE_FILE`, removed at the end). ``resume`` carries on from there when
    the arguments are the same, and gives the same files as a run never interrupted.
    """
    if items < 0:
        raise ValueError("items must be >= 0")
    if page_size < 1:
        raise ValueError("page_size must be >= 1")
    out = Path(out_dir)
    arguments = {
        "items": items,
        "seed": seed,
        "end": end.isoformat(),
        "since": since.isoformat() if since else None,
        "page_size": page_size,
        "compress": compress,
    }
    state_path = out / STATE_FILE
    saved = _saved_state(state_path, arguments) if resume else None
    cut = end
    end = max(end, EXPORT_END)  # the timeline's end: fixed, so that earlier exports are of the same company
    start = _history_start(end)
    start_ms, end_ms = _epoch_ms(start.year, start.month, start.day), _epoch_ms(end.year, end.month, end.day)
    cut_ms = _epoch_ms(cut.year, cut.month, cut.day)
    since_ms = _epoch_ms(since.year, since.month, since.day) if since else None
    holidays = {(d - date(1970, 1, 1)).days for d, _ in company_holidays(range(start.year, end.year + 1))}
    clock = _Clock()
    counts = [round(items * SITES[0].share)]
    counts.append(items - counts[0])
    summary = {
        "items": 0,
        "status_changes": 0,
        "histories": 0,
        "truncated_changelogs": 0,
        "reopened": 0,
        "canceled": 0,
        "files": 0,
        "bytes": 0,
        "sites": {},
        "start": start.isoformat(),
        "end": cut.isoformat(),
        "timeline_end": end.isoformat(),
        "since": since.isoformat() if since else None,
        "seed": seed,
    }
    done = 0
    if saved is not None:
        summary, done = saved["summary"], saved["done"]
    checkpointed = time.monotonic()
    for site_index, (site, n) in enumerate(zip(SITES, counts, strict=True)):
        if saved is not None and site_index < saved["site_index"]:
            continue  # written whole before the interruption
        resumed = saved if saved is not None and site_index == saved["site_index"] else None
        site_dir = out / "jira" / site.host
        cl_dir = site_dir / "changelog"
        cl_dir.mkdir(parents=True, exist_ok=True)
        if resumed is None:
            for old in [*site_dir.glob("search_page_*.json*"), *cl_dir.glob("*_page_*.json*")]:
                old.unlink()  # a previous, larger run must not leave stale pages behind
        gen = resumed["gen"] if resumed else _SiteGen(site, n, seed, start_ms, end_ms, holidays, clock)

        def write(path: Path, obj) -> None:
            data = _dump(obj)
            if compress:  # mtime=0: the same arguments still give byte-identical files
                data = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
                path = path.with_name(path.name + ".gz")
            path.write_bytes(data)
            summary["files"] += 1
            summary["bytes"] += len(data)

        if resumed is None:
            write(site_dir / "status.json", gen.status_list())
        filtered = cut_ms < end_ms or since_ms is not None

        def exported_issues(site_gen: _SiteGen, first: int = 0, n: int = n):
            """(index in the timeline, issue, changelog pages) of the issues exported, from ``first`` on."""
            for i in range(first, n):
                issue, pages = site_gen.issue(i)  # every issue of the timeline: the random stream stays the same
                if cut_ms < end_ms:
                    cut_issue = _as_exported_at(site_gen, issue, pages, cut_ms)
                    if cut_issue is None:
                        continue
                    issue, pages = cut_issue
                if since_ms is not None and _jira_ms(issue["fields"]["updated"]) < since_ms:
                    continue
                yield i, issue, pages

        # a search page says how many issues the query has: an export cut or a delta counts them first (a
        # second pass of the same generator), so that pages are still written one at a time
        if resumed:
            n_exported = resumed["n_exported"]
        else:
            n_exported = (
                sum(1 for _ in exported_issues(_SiteGen(site, n, seed, start_ms, end_ms, holidays, clock)))
                if filtered
                else n
            )
        n_pages = max(1, math.ceil(n_exported / page_size))
        first_page, next_index = (resumed["page"], resumed["next_index"]) if resumed else (0, 0)
        stream = exported_issues(gen, next_index)
        for p in range(first_page, n_pages):
            lo, hi = p * page_size, min(n_exported, (p + 1) * page_size)
            issues = []
            for _ in range(lo, hi):
                next_index, issue, pages = next(stream)
                next_index += 1
                issues.append(issue)
                for k, page in enumerate(pages or [], 1):
                    write(cl_dir / f"{issue['key']}_page_{k:03d}.json", page)
            write(
                site_dir / f"search_page_{p + 1:05d}.json",
                {
                    "expand": "names,schema",
                    "startAt": lo,
                    "maxResults": page_size,
                    "total": n_exported,
                    "issues": issues,
                },
            )
            done += hi - lo
            if progress is not None:
                progress(done, items)
            if time.monotonic() - checkpointed >= CHECKPOINT_SECONDS and p + 1 < n_pages:
                state = {"site_index": site_index, "page": p + 1, "next_index": next_index, "n_exported": n_exported}
                _save_state(state_path, arguments, {**state, "gen": gen, "summary": summary, "done": done})
                checkpointed = time.monotonic()
        for _ in stream:  # the rest of the timeline: the generator's statistics count every issue
            pass
        summary["items"] += n_exported
        for k in ("status_changes", "histories", "reopened", "canceled"):
            summary[k] += gen.stats.get(k, 0)
        summary["truncated_changelogs"] += gen.stats["truncated"]
        summary["sites"][site.host] = {"items": n_exported, "pages": n_pages, **gen.stats}
    state_path.unlink(missing_ok=True)
    return summary


def _site_named(host: str) -> SiteDef:
    return next(site for site in SITES if site.host == host)


def _route_named(name: str) -> Route:
    return next(route for site in SITES for route in site.routes if route.name == name)


def _saved_state(path: Path, arguments: dict) -> dict | None:
    """The place an interrupted run with the same arguments saved, or None (start from the beginning)."""
    try:
        with path.open("rb") as handle:
            saved = pickle.load(handle)  # written by _save_state of this module, in the user's own folder
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError):
        return None
    return saved["state"] if saved.get("arguments") == arguments else None


def _save_state(path: Path, arguments: dict, state: dict) -> None:
    """Save the run's place atomically (a half-written state would resume nothing)."""
    temp = path.with_name(path.name + ".tmp")
    with temp.open("wb") as handle:
        pickle.dump({"arguments": arguments, "state": state}, handle, protocol=pickle.HIGHEST_PROTOCOL)
    temp.replace(path)


def _main(argv: list[str] | None = None) -> None:
    """``python -m flowmart.demo.jira --items N --out DIR``: generate and print the speed."""
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--end", type=date.fromisoformat, default=EXPORT_END)
    ap.add_argument("--page-size", type=int, default=100)
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--resume", action="store_true")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    s = generate(a.out, a.items, a.seed, a.end, a.page_size, compress=a.gzip, resume=a.resume)
    secs = time.perf_counter() - t0
    print(json.dumps(s, indent=1))
    print(
        f"{s['items']:,} items in {secs:.1f} s = {s['items'] / max(secs, 1e-9):,.0f} items/s; "
        f"{s['bytes'] / 1e6:,.1f} MB in {s['files']:,} files"
    )


if __name__ == "__main__":
    _main()
