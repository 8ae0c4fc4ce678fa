"""Jira Cloud and Data Center REST exports, landed as the API returns them.

* ``GET /rest/api/3/search/jql`` (Cloud) or ``/rest/api/2/search`` (Data Center) with
  ``expand=changelog``: ``{"issues": [...]}``, each issue with its ``fields`` and embedded changelog;
* ``GET /rest/api/3/issue/{issueIdOrKey}/changelog``: ``{"self": ".../issue/KEY/changelog?...",
  "values": [...]}``, or a bare array of histories saved from such pages (the file name then names the
  issue: ``*issue_<id or key>*.json``);
* ``GET /rest/api/2/status``: an array of statuses with their category.

The instance is the Jira site host, read from the ``self`` URLs (``--instance`` when a file has none).
"""

from __future__ import annotations

import re

from flowmart.trackers.spec import DbtModels, Kind, KindSql, People, RawTable, Tracker

ISSUE_REF = re.compile(r"issue[_-]?([A-Za-z][A-Za-z0-9_]*-\d+|\d+)")

HOST = "regexp_extract({url}, '^https?://([^/?#]+)', 1)"

ISSUE_FIELDS_TYPE = """{
    "summary": "VARCHAR",
    "issuetype": {"id": "VARCHAR", "name": "VARCHAR", "subtask": "VARCHAR"},
    "status": {"id": "VARCHAR", "name": "VARCHAR", "statusCategory": {"key": "VARCHAR"}},
    "project": {"key": "VARCHAR", "name": "VARCHAR"},
    "created": "VARCHAR", "updated": "VARCHAR",
    "resolution": {"name": "VARCHAR"}, "resolutiondate": "VARCHAR",
    "labels": "JSON", "components": [{"name": "VARCHAR"}],
    "parent": {"key": "VARCHAR"}
}"""

HISTORY_TYPE = """{
    "id": "VARCHAR", "created": "VARCHAR",
    "items": [{"field": "VARCHAR", "fieldtype": "VARCHAR", "fieldId": "VARCHAR",
               "from": "VARCHAR", "fromString": "VARCHAR", "to": "VARCHAR", "toString": "VARCHAR"}]
}"""

# Lineage travels as columns: `_doc` carries _source_file and _file_hash (one file, or a batch of files
# landed together), and every temp table below keeps them, so the same SQL lands one file or many.
# Checks return rows (reason, _source_file): at most one reason per bad file.

# The histories' type: json_transform reads them straight into typed lists in the parse that finds them
# (the search page's issue, the changelog page), so a history's text is parsed once; keys not named here
# (author, ...) are skipped unread. A history that is not an object types as a struct of nulls and
# yields no items, as it did when histories were parsed on their own.
HISTORY_LIST_TYPE = f"[{HISTORY_TYPE}]"

# Flattens the temp table _hist(instance, issue_id, issue_key, parent_pos, hist_pos, h (HISTORY_TYPE), origin,
# _source_file, _file_hash) into _items, one row per changelog item.
PREPARE_CHANGELOG_ITEMS = """
create or replace temp table _items as
with

items as (
    select
        instance, issue_id, issue_key, parent_pos, hist_pos, origin, _source_file, _file_hash,
        h.id as history_id,
        h.created as history_created,
        generate_subscripts(h.items, 1) as item_position,
        unnest(h.items) as item
    from _hist
)

select
    instance, issue_id, issue_key, history_id, history_created, item_position,
    item.field, item.fieldtype, item.fieldId as field_id,
    item."from" as from_value, item.fromString as from_string, item."to" as to_value, item.toString as to_string,
    origin,
    case when origin = 'search' then parent_pos end as issue_position,
    _source_file, _file_hash,
    row_number() over (partition by _source_file order by parent_pos, hist_pos, item_position) as _record_position
from items
"""

# by name: a warehouse landed before issue_position existed has that column last (ensure_raw_schema adds it)
INSERT_CHANGELOG_ITEMS = (
    "insert into raw.jira_changelog_items by name select *, now()::timestamptz as _landed_at from _items"
)

CHECK_HISTORIES = """
select min_by(reason, priority), _source_file
from (
    select 1 as priority, 'cannot tell the Jira site: no self URL in the file (pass --instance)' as reason, _source_file
    from _hist where instance is null group by _source_file
    union all
    select 2, 'changelog history at position ' || min(hist_pos) || ' is not an object', _source_file
    from _hist where json_type(hist) <> 'OBJECT' group by _source_file
    union all
    select 3, 'changelog history at position ' || min(hist_pos) || ' has no id or created time', _source_file
    from _hist where hist ->> 'id' is null or hist ->> 'created' is null group by _source_file
)
group by _source_file
"""


def search_sql() -> KindSql:
    # One parse of each page: json_transform reads every issue's head, its raw fields (as JSON text) and its
    # changelog's histories (typed) straight out of the page, and a second pass types the fields. Neither
    # the issues' text nor a copy of it is kept (docs/benchmarks.md, issue 22). An issue that is not an object
    # types as a struct of nulls: only a page with such an issue, or with an issue whose histories did not
    # type as a list, is read again by the checks, to say which.
    prepare = (
        f"""
        create or replace temp table _iss as
        with issues as (
            select
                _source_file,
                _file_hash,
                generate_subscripts(arr, 1) as pos,
                unnest(arr) as i
            from (
                select
                    _source_file,
                    _file_hash,
                    json_transform(
                        doc,
                        '{{"issues": [{{"id": "VARCHAR", "key": "VARCHAR", "self": "VARCHAR", "fields": "JSON",
                                        "changelog": {{"total": "VARCHAR", "maxResults": "VARCHAR",
                                                       "histories": {HISTORY_LIST_TYPE}}}}}]}}'
                    ).issues as arr
                from _doc
            )
        )
        select
            _source_file,
            _file_hash,
            pos,
            struct_pack(id := i.id, key := i.key, self := i.self) as head,
            i.fields as fields,
            i.changelog.histories as histories,
            i.changelog.total as changelog_total,
            i.changelog.maxResults as changelog_max_results,
            coalesce($instance, {HOST.format(url="i.self")}) as instance,
            json_transform(i.fields, '{ISSUE_FIELDS_TYPE}') as f
        from issues
        """,
        """
        create or replace temp table _hist as
        select
            _source_file, _file_hash,
            instance, head.id as issue_id, head.key as issue_key, pos as parent_pos,
            generate_subscripts(histories, 1) as hist_pos,
            unnest(histories) as h,
            'search' as origin
        from _iss
        where histories is not null
        """,
        PREPARE_CHANGELOG_ITEMS,
    )
    validate = """
        with

        -- the issues of pages read again: those with an issue that typed as nothing (not an object, or an
        -- object without id, key or fields) or whose histories typed as no list (absent, null or malformed)
        reread as (
            select
                _source_file,
                generate_subscripts(arr, 1) as pos,
                unnest(arr) as issue
            from (
                select _source_file, json_transform(doc, '{"issues": ["JSON"]}').issues as arr
                from _doc
                where _source_file in (
                    select _source_file from _iss
                    where (head.id is null and head.key is null and fields is null) or histories is null
                )
            )
        )

        select min_by(reason, priority), _source_file
        from (
            -- json_transform gives no list for "issues" that is not an array (it does not fail): only a page
            -- without issues is read again to tell an empty array from a malformed one
            select 0 as priority, '"issues" is not a JSON array' as reason, _source_file
            from _doc
            where _source_file not in (select _source_file from _iss)
                and json_type(doc, '$.issues') is distinct from 'ARRAY'
            union all
            select 1, 'issue at position ' || min(pos) || ' is not an object', _source_file
            from reread where not starts_with(ltrim(issue::varchar), '{') group by _source_file
            union all
            select 2, 'issue at position ' || min(pos) || ' lacks id, key or fields', _source_file
            from _iss where head.id is null or head.key is null or fields is null group by _source_file
            union all
            select 3, 'cannot tell the Jira site: issue at position ' || min(pos) || ' has no self URL (pass --instance)',
                _source_file
            from _iss where instance is null group by _source_file
            union all
            select 4, 'issue at position ' || min(pos) || ' has no fields.created', _source_file
            from _iss where f.created is null group by _source_file
            union all
            select 5, 'issue at position ' || min(pos) || ': changelog.histories is not an array', _source_file
            from reread
            where json_type(issue, '$.changelog.histories') not in ('ARRAY', 'NULL')
            group by _source_file
        )
        group by _source_file
    """
    insert_issues = """
        insert into raw.jira_issues (
            instance, issue_id, issue_key, self,
            project_key, project_name, issue_type, is_subtask,
            status_id, status_name, status_category_key,
            resolution, resolution_date, created, updated, summary,
            labels, components, parent_key,
            changelog_total, changelog_max_results, embedded_history_count,
            fields, issue_type_id,
            _source_file, _file_hash, _record_position, _landed_at
        )
        select
            instance, head.id, head.key, head.self,
            f.project.key, f.project.name, f.issuetype.name, f.issuetype.subtask,
            f.status.id, f.status.name, f.status.statusCategory.key,
            f.resolution.name, f.resolutiondate, f.created, f.updated, f.summary,
            f.labels, to_json(list_transform(f.components, lambda c: c.name)), f.parent.key,
            try_cast(changelog_total as integer),
            try_cast(changelog_max_results as integer),
            coalesce(len(histories), 0),
            fields, f.issuetype.id,
            _source_file, _file_hash, pos, now()::timestamptz
        from _iss
    """
    return KindSql(None, prepare, validate, (insert_issues, INSERT_CHANGELOG_ITEMS), ("_iss", "_hist", "_items"))


def _changelog_ref_sql(ref: str) -> str:
    return f"""
        case when regexp_full_match({ref}, '\\d+') then {ref} end as issue_id,
        case when not regexp_full_match({ref}, '\\d+') then {ref} end as issue_key
    """


def changelog_page_sql() -> KindSql:
    """`GET /rest/api/3/issue/{issueIdOrKey}/changelog`: {"self": ".../issue/KEY/changelog?...", "values": [...]}."""
    prepare = (
        f"""
        create or replace temp table _page as
        with parsed as (
            -- one parse of the page for its self URL and its histories
            select _source_file, _file_hash, _issue_ref,
                json_transform(doc, '{{"self": "VARCHAR", "values": {HISTORY_LIST_TYPE}}}') as d
            from _doc
        )
        select
            _source_file,
            _file_hash,
            coalesce($instance, {HOST.format(url="d.self")}) as instance,
            coalesce(regexp_extract(d.self, '/issue/([^/?#]+)/changelog', 1), _issue_ref) as ref,
            d."values" as histories
        from parsed
        """,
        f"""
        create or replace temp table _hist as
        select
            _source_file, _file_hash,
            instance, {_changelog_ref_sql("nullif(ref, '')")},
            1 as parent_pos,
            generate_subscripts(histories, 1) as hist_pos,
            unnest(histories) as h,
            'changelog_page' as origin
        from _page
        """,
        PREPARE_CHANGELOG_ITEMS,
    )
    validate = """
        select min_by(reason, priority), _source_file
        from (
            -- "values" that is not an array types as no list (json_transform does not fail)
            select 0 as priority, '"values" is not a JSON array' as reason, _source_file
            from _page where histories is null
            union all
            select 1,
                'changelog page does not name its issue (no self URL .../issue/<key>/changelog; '
                || 'name the file *issue_<id or key>*.json)' as reason,
                _source_file
            from _page where coalesce(ref, '') = ''
            union all
            select 2, 'cannot tell the Jira site: changelog page has no self URL (pass --instance)', _source_file
            from _page where instance is null
        )
        group by _source_file
    """
    return KindSql(None, prepare, validate, (INSERT_CHANGELOG_ITEMS,), ("_page", "_hist", "_items"))


def changelog_array_sql() -> KindSql:
    """A bare array of changelog histories (the `values` of changelog pages, as some exporters save them)."""
    prepare = (
        f"""
        create or replace temp table _hist as
        select
            _source_file, _file_hash,
            coalesce(
                $instance,
                first({HOST.format(url="doc -> 'author' ->> 'self'")}) over (
                    partition by _source_file order by pos rows between unbounded preceding and unbounded following
                )
            ) as instance,
            {_changelog_ref_sql("_issue_ref")},
            1 as parent_pos,
            pos as hist_pos,
            doc as hist,
            json_transform(doc, '{HISTORY_TYPE}') as h,
            'changelog_page' as origin
        from _doc
        """,
        PREPARE_CHANGELOG_ITEMS,
    )
    return KindSql(None, prepare, CHECK_HISTORIES, (INSERT_CHANGELOG_ITEMS,), ("_hist", "_items"))


def statuses_sql() -> KindSql:
    """`GET /rest/api/2/status`: an array of statuses with their category."""
    prepare = (
        """
        create or replace temp table _st as
        select
            _source_file,
            _file_hash,
            pos,
            doc,
            json_transform(doc, '{"id": "VARCHAR", "name": "VARCHAR", "self": "VARCHAR",
                                   "statusCategory": {"key": "VARCHAR"}}') as s
        from _doc
        """,
    )
    validate = f"""
        select min_by(reason, priority), _source_file
        from (
            select 1 as priority, 'status at position ' || min(pos) || ' lacks id or name' as reason, _source_file
            from _st where s.id is null or s.name is null group by _source_file
            union all
            select 2, 'cannot tell the Jira site: statuses have no self URL (pass --instance)', _source_file
            from _st where coalesce($instance, {HOST.format(url="s.self")}) is null group by _source_file
        )
        group by _source_file
    """
    insert = f"""
        insert into raw.jira_statuses
        select
            coalesce($instance, {HOST.format(url="s.self")}),
            s.id, s.name, s.statusCategory.key, doc,
            _source_file, _file_hash, pos, now()::timestamptz
        from _st
    """
    return KindSql(None, prepare, validate, (insert,), ("_st",))


SEARCH = Kind("jira_search", "jira_issues", sql=search_sql, batchable=True)
CHANGELOG_PAGE = Kind(
    "jira_changelog_page", "jira_changelog_items", sql=changelog_page_sql, batchable=True, issue_ref=ISSUE_REF
)
# a bare array of histories lands as a changelog page of the issue its file name names
CHANGELOG_ARRAY = Kind(
    "jira_changelog_page",
    "jira_changelog_items",
    sql=changelog_array_sql,
    issue_ref=ISSUE_REF,
    needs_issue_ref=(
        "a bare changelog array does not say which issue it belongs to: "
        "name the file *issue_<id or key>*.json (e.g. changelog_issue_10042.json)"
    ),
)
STATUSES = Kind("jira_statuses", "jira_statuses", sql=statuses_sql)


def recognise_json(container: str, keys: set[str], item_keys: set[str]) -> Kind | None:
    if container == "object":
        if "issues" in keys:
            return SEARCH
        if "values" in keys:
            return CHANGELOG_PAGE
        return None
    if {"statusCategory", "name"} <= item_keys:
        return STATUSES
    if {"items", "created"} <= item_keys:
        return CHANGELOG_ARRAY
    return None


TRACKER = Tracker(
    name="jira",
    title="Jira",
    description="Jira REST exports: search pages with changelogs, changelog pages, status lists.",
    raw_tables=(
        RawTable(
            "jira_issues",
            """
            instance varchar, issue_id varchar, issue_key varchar, self varchar,
            project_key varchar, project_name varchar, issue_type varchar, is_subtask varchar,
            status_id varchar, status_name varchar, status_category_key varchar,
            resolution varchar, resolution_date varchar, created varchar, updated varchar, summary varchar,
            labels json, components json, parent_key varchar,
            changelog_total integer, changelog_max_results integer, embedded_history_count integer,
            fields json, issue_type_id varchar,
        """,
            suite="expectations.jira__issues",
            # the issue type's id (fields.issuetype.id) has its own column since issue 22: the build read it
            # from `fields`, parsing every issue's fields on every build; a warehouse landed before gets the
            # column filled from the fields it kept (docs/adr/0078)
            added_columns=("issue_type_id varchar",),
            backfills=(("issue_type_id", "json_extract_string(fields, '$.issuetype.id')"),),
            people=People(
                json_keys=(("fields", ("assignee", "reporter", "creator", "watches", "comment", "worklog")),)
            ),
        ),
        RawTable(
            "jira_changelog_items",
            """
            instance varchar, issue_id varchar, issue_key varchar, history_id varchar, history_created varchar,
            item_position integer, field varchar, fieldtype varchar, field_id varchar,
            from_value varchar, from_string varchar, to_value varchar, to_string varchar, origin varchar,
            issue_position bigint,
        """,
            suite="expectations.jira__changelog_items",
            # an item embedded in a search page belongs to the issue at issue_position of the same file
            parent=("jira_issues", "issue_position"),
            added_columns=("issue_position bigint",),
            # the from/to of a change to a user field are account ids and names
            people=People(
                columns=("from_value", "from_string", "to_value", "to_string"),
                when="lower({field}) in ('assignee', 'reporter', 'creator')",
            ),
        ),
        RawTable(
            "jira_statuses",
            """
            instance varchar, status_id varchar, status_name varchar, status_category_key varchar, payload json,
        """,
            suite="expectations.jira__statuses",
        ),
    ),
    kinds=(SEARCH, CHANGELOG_PAGE, CHANGELOG_ARRAY, STATUSES),
    dbt=DbtModels(work_items="int_jira__work_items", status_changes="int_jira__status_changes", ids=True),
    instance_hint="Jira site host",
    formats_hint="a Jira search response with 'issues', a changelog page with 'values', a status list",
    recognise_json=recognise_json,
    landing_suffixes=(".json",),
)
