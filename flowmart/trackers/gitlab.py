"""GitLab exports: issues and their resource state / label events, landed as the REST API returns them.

* ``GET /projects/:id/issues?scope=all`` -> a JSON array of issues (``iid``, ``project_id``,
  ``references.full`` = ``group/project#iid``, ``labels`` as names, scoped labels such as
  ``workflow::in dev``).
* ``GET /projects/:id/issues/:iid/resource_state_events`` -> ``[{id, created_at, resource_type,
  resource_id, state: opened|closed|reopened}]``.
* ``GET /projects/:id/issues/:iid/resource_label_events`` -> ``[{id, created_at, resource_type,
  resource_id, label: {id, name}, action: add|remove}]``.

``resource_id`` is the issue's global ``id``: staging joins events to issues on it. The instance is
the project path (``group/project``), from ``references.full`` or ``web_url``.
"""

from __future__ import annotations

from flowmart.trackers.spec import DbtModels, Kind, KindSql, People, RawTable, Tracker

ISSUES_COLUMNS = """
        instance varchar, issue_id varchar, issue_iid varchar, project_id varchar, web_url varchar,
        title varchar, state varchar, issue_type varchar, labels json, assignees json, milestone varchar,
        created_at varchar, updated_at varchar, closed_at varchar, payload json,
"""
STATE_EVENTS_COLUMNS = """
        event_id varchar, resource_type varchar, resource_id varchar, state varchar,
        created_at varchar, user_username varchar,
"""
LABEL_EVENTS_COLUMNS = """
        event_id varchar, resource_type varchar, resource_id varchar, action varchar, label_name varchar,
        created_at varchar, user_username varchar,
"""

ISSUE_TYPE = """{
    "id": "VARCHAR", "iid": "VARCHAR", "project_id": "VARCHAR", "web_url": "VARCHAR", "title": "VARCHAR",
    "state": "VARCHAR", "type": "VARCHAR", "issue_type": "VARCHAR", "labels": "JSON",
    "assignees": [{"username": "VARCHAR"}], "milestone": {"title": "VARCHAR"},
    "created_at": "VARCHAR", "updated_at": "VARCHAR", "closed_at": "VARCHAR",
    "references": {"full": "VARCHAR"}
}"""

EVENT_TYPE = """{
    "id": "VARCHAR", "resource_type": "VARCHAR", "resource_id": "VARCHAR", "state": "VARCHAR",
    "action": "VARCHAR", "label": {"name": "VARCHAR"}, "created_at": "VARCHAR", "user": {"username": "VARCHAR"}
}"""


def recognise_json(container: str, keys: set[str], item_keys: set[str]) -> Kind | None:
    if container != "array":
        return None
    if {"iid", "project_id"} <= item_keys:
        return ISSUES
    if {"resource_type", "resource_id"} <= item_keys:
        if "action" in item_keys and "label" in item_keys:
            return LABEL_EVENTS
        if "state" in item_keys:
            return STATE_EVENTS
    return None


def _prepare(type_: str) -> tuple[str, ...]:
    return (f"create or replace temp table _gl as select pos, doc, json_transform(doc, '{type_}') as g from _doc",)


def _not_objects(what: str) -> str:
    return f"""
            when (select count(*) from _gl where json_type(doc) <> 'OBJECT') > 0
                then '{what} at position ' || (select min(pos) from _gl where json_type(doc) <> 'OBJECT') || ' is not an object'
    """


def issues_sql() -> KindSql:
    instance = (
        "coalesce($instance, nullif(regexp_extract(g.references.full, '^(.+)#\\d+$', 1), ''), "
        "nullif(regexp_extract(g.web_url, '^https?://[^/]+/(.+?)/-/(issues|work_items)/\\d+', 1), ''))"
    )
    validate = f"""
        select case
            {_not_objects("issue")}
            when (select count(*) from _gl where g.id is null or g.iid is null or g.created_at is null) > 0
                then 'issue at position ' || (select min(pos) from _gl where g.id is null or g.iid is null or g.created_at is null)
                     || ' lacks id, iid or created_at'
            when (select count(*) from _gl where {instance} is null) > 0
                then 'cannot tell the project path: issue at position ' || (select min(pos) from _gl where {instance} is null)
                     || ' has no references.full or web_url (pass --instance group/project)'
        end
    """
    insert = f"""
        insert into raw.gitlab_issues
        select
            {instance}, g.id, g.iid, g.project_id, g.web_url, g.title, g.state,
            coalesce(g.type, g.issue_type),
            -- names (default) or label objects (with_labels_details=true): keep the names
            to_json(list_transform(cast(coalesce(g.labels, '[]') as json[]), lambda l: coalesce(l ->> 'name', l ->> '$'))),
            to_json(list_transform(coalesce(g.assignees, []), lambda a: a.username)),
            g.milestone.title, g.created_at, g.updated_at, g.closed_at, doc,
            $source_file, $file_hash, pos, now()::timestamptz
        from _gl
    """
    return KindSql(None, _prepare(ISSUE_TYPE), validate, (insert,), ("_gl",))


def _events_validate(what: str, extra: str) -> str:
    return f"""
        select case
            {_not_objects(what)}
            when (select count(*) from _gl where g.id is null or g.resource_id is null or g.created_at is null {extra}) > 0
                then '{what} at position '
                     || (select min(pos) from _gl where g.id is null or g.resource_id is null or g.created_at is null {extra})
                     || ' lacks id, resource_id, created_at or its change'
        end
    """


def state_events_sql() -> KindSql:
    insert = """
        insert into raw.gitlab_resource_state_events
        select g.id, g.resource_type, g.resource_id, g.state, g.created_at, g.user.username,
               $source_file, $file_hash, pos, now()::timestamptz
        from _gl
    """
    validate = _events_validate("state event", "or g.state is null")
    return KindSql(None, _prepare(EVENT_TYPE), validate, (insert,), ("_gl",))


def label_events_sql() -> KindSql:
    insert = """
        insert into raw.gitlab_resource_label_events
        select g.id, g.resource_type, g.resource_id, g.action, g.label.name, g.created_at, g.user.username,
               $source_file, $file_hash, pos, now()::timestamptz
        from _gl
    """
    validate = _events_validate("label event", "or g.action is null or g.label.name is null")
    return KindSql(None, _prepare(EVENT_TYPE), validate, (insert,), ("_gl",))


ISSUES = Kind("gitlab_issues", "gitlab_issues", sql=issues_sql)
STATE_EVENTS = Kind("gitlab_resource_state_events", "gitlab_resource_state_events", sql=state_events_sql)
LABEL_EVENTS = Kind("gitlab_resource_label_events", "gitlab_resource_label_events", sql=label_events_sql)

TRACKER = Tracker(
    name="gitlab",
    title="GitLab Issues",
    description="GitLab issues with their resource state and label events, as the REST API returns them.",
    raw_tables=(
        RawTable(
            "gitlab_issues",
            ISSUES_COLUMNS,
            suite="expectations.gitlab__issues",
            people=People(
                lists=("assignees",), json_keys=(("payload", ("author", "assignee", "assignees", "closed_by")),)
            ),
        ),
        RawTable(
            "gitlab_resource_state_events",
            STATE_EVENTS_COLUMNS,
            suite="expectations.gitlab__resource_state_events",
            people=People(columns=("user_username",)),
        ),
        RawTable(
            "gitlab_resource_label_events",
            LABEL_EVENTS_COLUMNS,
            suite="expectations.gitlab__resource_label_events",
            people=People(columns=("user_username",)),
        ),
    ),
    kinds=(ISSUES, STATE_EVENTS, LABEL_EVENTS),
    dbt=DbtModels(
        work_items="int_gitlab__work_items",
        status_changes="int_gitlab__status_changes",
        # the events API keeps a window of events: an assignment or label older than it is not landed
        history_from_creation=False,
    ),
    instance_hint="GitLab group/project",
    formats_hint="GitLab issues or resource state / label events (JSON arrays)",
    recognise_json=recognise_json,
)
