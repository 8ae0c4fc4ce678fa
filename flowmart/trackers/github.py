"""GitHub Issues exports: issue list pages and issue event pages, landed as the REST API returns them.

* ``GET /repos/{owner}/{repo}/issues?state=all`` -> a JSON array of issues. Entries with a
  ``pull_request`` key are pull requests (the API lists them with the issues) and are skipped.
* ``GET /repos/{owner}/{repo}/issues/events`` -> a JSON array of events, each with its ``issue``
  (events of pull requests are skipped). Per-issue lists (``/issues/{number}/events`` or
  ``/issues/{number}/timeline``) carry no ``issue`` object: name such files ``*issue_<number>*.json``.

The instance is the repository ``owner/repo``, read from ``repository_url`` / the event ``url``
(``--instance owner/repo`` when a file does not say).
"""

from __future__ import annotations

import re

from flowmart.trackers.spec import DbtModels, Kind, KindSql, People, RawTable, Tracker

ISSUES_COLUMNS = """
        instance varchar, issue_id varchar, issue_number varchar, node_id varchar, html_url varchar,
        title varchar, state varchar, state_reason varchar, issue_type varchar,
        labels json, assignees json, milestone varchar,
        created_at varchar, updated_at varchar, closed_at varchar,
        payload json,
"""
EVENTS_COLUMNS = """
        instance varchar, event_id varchar, node_id varchar, issue_number varchar, issue_id varchar,
        event varchar, created_at varchar, actor_login varchar, label_name varchar, assignee_login varchar,
        state_reason varchar, commit_id varchar, origin varchar,
"""

# owner/repo from https://api.github.com/repos/o/r/... or https://ghe.example.com/api/v3/repos/o/r/...
REPO = "nullif(regexp_extract({url}, '/repos/([^/?#]+/[^/?#]+)', 1), '')"

ISSUE_TYPE = """{
    "id": "VARCHAR", "number": "VARCHAR", "node_id": "VARCHAR", "url": "VARCHAR", "html_url": "VARCHAR",
    "repository_url": "VARCHAR", "title": "VARCHAR", "state": "VARCHAR", "state_reason": "VARCHAR",
    "created_at": "VARCHAR", "updated_at": "VARCHAR", "closed_at": "VARCHAR",
    "labels": "JSON", "assignees": [{"login": "VARCHAR"}], "assignee": {"login": "VARCHAR"},
    "milestone": {"title": "VARCHAR"}, "type": {"name": "VARCHAR"}, "pull_request": "JSON"
}"""

EVENT_TYPE = """{
    "id": "VARCHAR", "node_id": "VARCHAR", "url": "VARCHAR", "event": "VARCHAR", "created_at": "VARCHAR",
    "state_reason": "VARCHAR", "commit_id": "VARCHAR",
    "actor": {"login": "VARCHAR"}, "label": {"name": "VARCHAR"}, "assignee": {"login": "VARCHAR"},
    "issue": {"id": "VARCHAR", "number": "VARCHAR", "url": "VARCHAR", "repository_url": "VARCHAR", "pull_request": "JSON"}
}"""

# the events that move an issue's synthetic status; others (mentioned, renamed, ...) are landed too
LIFECYCLE_EVENTS = "('labeled', 'unlabeled', 'assigned', 'unassigned', 'closed', 'reopened')"


def recognise_json(container: str, keys: set[str], item_keys: set[str]) -> Kind | None:
    if container != "array":
        return None
    if {"number", "title", "state"} <= item_keys and ("repository_url" in item_keys or "html_url" in item_keys):
        return ISSUES
    if (
        "event" in item_keys
        and ("created_at" in item_keys or "actor" in item_keys)
        and "resource_type" not in item_keys
    ):
        return EVENTS
    return None


def issues_sql() -> KindSql:
    prepare = (
        f"""
        create or replace temp table _gh_issues as
        select
            pos,
            doc,
            json_transform(doc, '{ISSUE_TYPE}') as i
        from _doc
        """,
    )
    instance = f"coalesce($instance, {REPO.format(url='i.repository_url')}, {REPO.format(url='i.url')})"
    validate = f"""
        select case
            when (select count(*) from _gh_issues where json_type(doc) <> 'OBJECT') > 0
                then 'issue at position ' || (select min(pos) from _gh_issues where json_type(doc) <> 'OBJECT')
                     || ' is not an object'
            when (select count(*) from _gh_issues where i.number is null or i.created_at is null) > 0
                then 'issue at position ' || (select min(pos) from _gh_issues where i.number is null or i.created_at is null)
                     || ' lacks number or created_at'
            when (select count(*) from _gh_issues where {instance} is null) > 0
                then 'cannot tell the repository: issue at position '
                     || (select min(pos) from _gh_issues where {instance} is null)
                     || ' has no repository_url (pass --instance owner/repo)'
        end
    """
    insert = f"""
        insert into raw.github_issues
        select
            {instance},
            i.id, i.number, i.node_id, i.html_url, i.title, i.state, i.state_reason, i.type.name,
            -- label objects (REST) or plain names: keep the names
            to_json(list_transform(
                cast(coalesce(i.labels, '[]') as json[]),
                lambda l: coalesce(l ->> 'name', l ->> '$')
            )),
            to_json(list_transform(coalesce(i.assignees, []), lambda a: a.login)),
            i.milestone.title,
            i.created_at, i.updated_at, i.closed_at,
            doc,
            $source_file, $file_hash, pos, now()::timestamptz
        from _gh_issues
        where i.pull_request is null  -- pull requests are listed with the issues: skipped
    """
    return KindSql(None, prepare, validate, (insert,), ("_gh_issues",))


def events_sql() -> KindSql:
    prepare = (
        f"""
        create or replace temp table _gh_events as
        with parsed as (
            select pos, doc, json_transform(doc, '{EVENT_TYPE}') as e
            from _doc
        ),

        located as (
            select
                *,
                coalesce({REPO.format(url="e.url")}, {REPO.format(url="e.issue.repository_url")},
                         {REPO.format(url="e.issue.url")}) as row_repo
            from parsed
        )

        -- timeline items without a url (cross-referenced, committed) belong to the file's repository
        select *, coalesce(row_repo, max(row_repo) over ()) as repo
        from located
        """,
    )
    instance = "coalesce($instance, repo)"
    number = "coalesce(e.issue.number, $issue_ref)"
    validate = f"""
        select case
            when (select count(*) from _gh_events where json_type(doc) <> 'OBJECT') > 0
                then 'event at position ' || (select min(pos) from _gh_events where json_type(doc) <> 'OBJECT')
                     || ' is not an object'
            when (select count(*) from _gh_events where {number} is null) > 0
                then 'event at position ' || (select min(pos) from _gh_events where {number} is null)
                     || ' does not name its issue (per-issue event lists: name the file *issue_<number>*.json)'
            when (select count(*) from _gh_events where e.event in {LIFECYCLE_EVENTS}
                  and (e.created_at is null or e.id is null)) > 0
                then 'event at position '
                     || (select min(pos) from _gh_events where e.event in {LIFECYCLE_EVENTS}
                         and (e.created_at is null or e.id is null))
                     || ' lacks id or created_at'
            when (select count(*) from _gh_events where {instance} is null) > 0
                then 'cannot tell the repository: event at position '
                     || (select min(pos) from _gh_events where {instance} is null)
                     || ' has no url (pass --instance owner/repo)'
        end
    """
    insert = f"""
        insert into raw.github_issue_events
        select
            {instance},
            e.id, e.node_id, {number}, e.issue.id,
            e.event, e.created_at, e.actor.login, e.label.name, e.assignee.login,
            e.state_reason, e.commit_id,
            case when e.issue.number is not null then 'repository_events' else 'issue_events' end,
            $source_file, $file_hash, pos, now()::timestamptz
        from _gh_events
        where e.issue.pull_request is null  -- events of pull requests: skipped
    """
    return KindSql(None, prepare, validate, (insert,), ("_gh_events",))


ISSUES = Kind("github_issues", "github_issues", sql=issues_sql)
# per-issue event lists (/issues/{n}/events or /timeline) name their issue in the file name
EVENTS = Kind("github_issue_events", "github_issue_events", sql=events_sql, issue_ref=re.compile(r"issues?[_-]?(\d+)"))

TRACKER = Tracker(
    name="github",
    title="GitHub Issues",
    description="GitHub issue list pages and issue event pages, as the REST API returns them.",
    raw_tables=(
        RawTable(
            "github_issues",
            ISSUES_COLUMNS,
            suite="expectations.github__issues",
            people=People(
                lists=("assignees",), json_keys=(("payload", ("user", "assignee", "assignees", "closed_by")),)
            ),
        ),
        RawTable(
            "github_issue_events",
            EVENTS_COLUMNS,
            suite="expectations.github__issue_events",
            people=People(columns=("actor_login", "assignee_login")),
        ),
    ),
    kinds=(ISSUES, EVENTS),
    dbt=DbtModels(
        work_items="int_github__work_items",
        status_changes="int_github__status_changes",
        # the events API keeps a window of events: an assignment or label older than it is not landed
        history_from_creation=False,
    ),
    instance_hint="GitHub owner/repo",
    formats_hint="a GitHub issues page or issue events page (JSON arrays)",
    recognise_json=recognise_json,
)
