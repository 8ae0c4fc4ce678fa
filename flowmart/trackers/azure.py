"""Azure Boards exports: work items and their updates, landed as the REST API returns them.

* ``POST {org}/{project}/_apis/wit/workitemsbatch`` or ``GET {org}/{project}/_apis/wit/workitems?ids=...``
  -> ``{"count": n, "value": [{"id", "rev", "fields": {"System.WorkItemType", "System.State",
  "System.AreaPath", "System.CreatedDate", "System.Tags", ...}, "url"}]}`` (a single
  ``GET .../workitems/{id}`` object is accepted too).
* ``GET {org}/{project}/_apis/wit/workItems/{id}/updates`` -> ``{"count": n, "value": [{"id",
  "workItemId", "rev", "revisedDate", "fields": {"System.State": {"oldValue", "newValue"},
  "System.ChangedDate": {"oldValue", "newValue"}, ...}, "url"}]}``.

The organisation comes from the ``url`` (``https://dev.azure.com/{org}/...`` or
``https://{org}.visualstudio.com/...``; ``--instance`` names it otherwise); the project from the
item's ``System.TeamProject``. Work item ids are unique per organisation, so updates are tied to their
item by (organization, work_item_id) in staging.
"""

from __future__ import annotations

from flowmart.trackers.spec import DbtModels, Kind, KindSql, People, RawTable, Tracker

# the identity fields of a work item (and of its updates' old/new values)
AZURE_PEOPLE_FIELDS = (
    "System.AssignedTo",
    "System.CreatedBy",
    "System.ChangedBy",
    "System.AuthorizedAs",
    "Microsoft.VSTS.Common.ActivatedBy",
    "Microsoft.VSTS.Common.ResolvedBy",
    "Microsoft.VSTS.Common.ClosedBy",
)

WORK_ITEMS_COLUMNS = """
        organization varchar, project varchar, work_item_id varchar, rev varchar, work_item_type varchar,
        state varchar, reason varchar, area_path varchar, iteration_path varchar, title varchar, tags varchar,
        created_date varchar, changed_date varchar, state_change_date varchar, activated_date varchar,
        resolved_date varchar, closed_date varchar, resolved_reason varchar, parent_id varchar, url varchar,
        fields json,
"""
UPDATES_COLUMNS = """
        organization varchar, work_item_id varchar, update_id varchar, rev varchar, revised_date varchar,
        revised_by varchar, changed_date varchar, state_old varchar, state_new varchar,
        url varchar, fields json,
"""

ORGANIZATION = (
    "coalesce($instance, "
    "nullif(regexp_extract({url}, '^https?://dev\\.azure\\.com/([^/?#]+)', 1), ''), "
    "nullif(regexp_extract({url}, '^https?://([^./]+)\\.visualstudio\\.com', 1), ''))"
)


def field(name: str, json_col: str = "fields") -> str:
    """The text of one field of a work item's `fields` object (field names contain dots)."""
    return f"json_extract_string({json_col}, '$.\"{name}\"')"


def recognise_json(container: str, keys: set[str], item_keys: set[str]) -> Kind | None:
    if container != "object":
        return None
    if "value" in keys:
        if {"workItemId", "rev"} <= item_keys:
            return UPDATES
        if {"id", "fields"} <= item_keys:
            return WORK_ITEMS
    elif {"id", "rev", "fields"} <= keys:
        return WORK_ITEMS
    return None


PRECHECK = """
    select case when (doc -> 'value') is not null and json_type(doc -> 'value') <> 'ARRAY'
        then '"value" is not a JSON array' end
    from _doc
"""


def _prepare() -> tuple[str, ...]:
    return (
        """
        create or replace temp table _az as
        with items as (
            select
                case when (doc -> 'value') is not null then cast(doc -> 'value' as json[]) else [doc] end as arr
            from _doc
        )
        select
            generate_subscripts(arr, 1) as pos,
            unnest(arr) as item
        from items
        """,
    )


def _validate(what: str, required: str, lacks: str, url: str) -> str:
    organization = ORGANIZATION.format(url=url)
    return f"""
        select case
            when (select count(*) from _az where json_type(item) <> 'OBJECT') > 0
                then '{what} at position ' || (select min(pos) from _az where json_type(item) <> 'OBJECT') || ' is not an object'
            when (select count(*) from _az where {required}) > 0
                then '{what} at position ' || (select min(pos) from _az where {required})
                     || ' lacks {lacks}'
            when (select count(*) from _az where {organization} is null) > 0
                then 'cannot tell the Azure DevOps organization: {what} at position '
                     || (select min(pos) from _az where {organization} is null)
                     || ' has no dev.azure.com url (pass --instance <organization>)'
        end
    """


def work_items_sql() -> KindSql:
    fields = "(item -> 'fields')"
    required = f"item ->> 'id' is null or {field('System.CreatedDate', fields)} is null"
    validate = _validate("work item", required, "id or fields.System.CreatedDate", "(item ->> 'url')")
    insert = f"""
        insert into raw.azure_work_items
        select
            {ORGANIZATION.format(url="(item ->> 'url')")},
            {field("System.TeamProject", fields)},
            item ->> 'id', item ->> 'rev',
            {field("System.WorkItemType", fields)},
            {field("System.State", fields)},
            {field("System.Reason", fields)},
            {field("System.AreaPath", fields)},
            {field("System.IterationPath", fields)},
            {field("System.Title", fields)},
            {field("System.Tags", fields)},
            {field("System.CreatedDate", fields)},
            {field("System.ChangedDate", fields)},
            {field("Microsoft.VSTS.Common.StateChangeDate", fields)},
            {field("Microsoft.VSTS.Common.ActivatedDate", fields)},
            {field("Microsoft.VSTS.Common.ResolvedDate", fields)},
            {field("Microsoft.VSTS.Common.ClosedDate", fields)},
            {field("Microsoft.VSTS.Common.ResolvedReason", fields)},
            {field("System.Parent", fields)},
            item ->> 'url',
            {fields},
            $source_file, $file_hash, pos, now()::timestamptz
        from _az
    """
    return KindSql(PRECHECK, _prepare(), validate, (insert,), ("_az",))


def work_item_updates_sql() -> KindSql:
    fields = "(item -> 'fields')"
    required = "item ->> 'id' is null or item ->> 'workItemId' is null"
    validate = _validate("update", required, "id or workItemId", "(item ->> 'url')")
    insert = f"""
        insert into raw.azure_work_item_updates
        select
            {ORGANIZATION.format(url="(item ->> 'url')")},
            item ->> 'workItemId', item ->> 'id', item ->> 'rev', item ->> 'revisedDate',
            coalesce(item -> 'revisedBy' ->> 'uniqueName', item -> 'revisedBy' ->> 'displayName'),
            json_extract_string({fields}, '$."System.ChangedDate".newValue'),
            json_extract_string({fields}, '$."System.State".oldValue'),
            json_extract_string({fields}, '$."System.State".newValue'),
            item ->> 'url',
            {fields},
            $source_file, $file_hash, pos, now()::timestamptz
        from _az
    """
    return KindSql(PRECHECK, _prepare(), validate, (insert,), ("_az",))


WORK_ITEMS = Kind("azure_work_items", "azure_work_items", sql=work_items_sql)
UPDATES = Kind("azure_work_item_updates", "azure_work_item_updates", sql=work_item_updates_sql)

TRACKER = Tracker(
    name="azure",
    title="Azure Boards",
    description="Azure Boards work items and their updates, as the REST API returns them.",
    raw_tables=(
        RawTable(
            "azure_work_items",
            WORK_ITEMS_COLUMNS,
            suite="expectations.azure__work_items",
            people=People(json_keys=(("fields", AZURE_PEOPLE_FIELDS),)),
        ),
        RawTable(
            "azure_work_item_updates",
            UPDATES_COLUMNS,
            suite="expectations.azure__work_item_updates",
            people=People(columns=("revised_by",), json_keys=(("fields", AZURE_PEOPLE_FIELDS),)),
        ),
    ),
    kinds=(WORK_ITEMS, UPDATES),
    dbt=DbtModels(work_items="stg_azure__work_items", status_changes="int_azure__status_changes"),
    instance_hint="Azure DevOps organization",
    formats_hint="an Azure Boards work item batch or updates list (an object with 'value')",
    recognise_json=recognise_json,
)
