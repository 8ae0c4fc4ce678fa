"""Pointing Flowmart at a real tracker instance: draft the mapping seeds from the landed data, and check
what the landed data still has unmapped (``flowmart mappings draft`` / ``check``; docs/mapping-templates,
docs/adr/0063-mappings-drafted-from-the-data.md).

Both read what the mapping models see: they first build the seeds, the staging models and the
intermediate models up to int_status_intervals (``dbt build --select +int_status_intervals``) in the
warehouse, so every tracker's statuses - the synthetic ones of GitHub and GitLab included - and every
item's timeline come out exactly as a build makes them.
The marts are not touched: what is published stays as it was.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flowmart import dbt
from flowmart.warehouse import Warehouse

Say = Callable[[str], None]

MAPPING_MODELS = "+int_status_intervals"

# the files `draft` writes, in the seeds' own formats (seeds/_seeds.yml)
STATUS_COLUMNS = ("source", "instance", "status_id", "status", "value_stream_id", "flow_state", "stage", "note")
TYPE_COLUMNS = ("source", "instance", "tracker_item_type_id", "tracker_item_type", "label", "flow_item_type", "note")
RULE_COLUMNS = (
    "priority",
    "source",
    "instance",
    "match_field",
    "match_type",
    "match_value",
    "value_stream_id",
)
STREAM_COLUMNS = (
    "value_stream_id",
    "name",
    "customer_segment",
    "persona",
    "stream_kind",
    "serves",
    "north_star_metric",
    "start_trigger",
    "finish_line",
    "outcome",
)
STAGE_COLUMNS = (
    "value_stream_id",
    "stage",
    "stage_order",
    "intent",
    "proof_point",
    "policy_sla_days",
    "primary_metric",
    "note",
)
TARGET_COLUMNS = ("value_stream_id", "flow_item_type", "target_pct")

# placeholder stages, one per flow state, for a team to rename and split
DRAFT_STAGES = (
    ("Discover", "new", "Work the team has not started: ideas, backlog, to do"),
    ("Build", "active", "Someone works on it"),
    ("Wait", "waiting", "Started, and waiting: for review, for test, blocked, on hold"),
    ("Release", "done", "Finished (or canceled)"),
)
STAGE_OF_STATE = {"new": "Discover", "active": "Build", "waiting": "Wait", "done": "Release", "canceled": "Release"}

# what a tracker's own category says; 'undefined' and no category say nothing
STATE_OF_CATEGORY = {"new": "new", "indeterminate": "active", "done": "done"}

# words in a status name that refine its category, checked in this order (names in the languages Jira ships)
STATUS_HINTS: tuple[tuple[str, str, re.Pattern], ...] = (
    (
        "done",
        "canceled",
        re.compile(r"won'?t|cancel|reject|duplicate|not planned|obsolete|removed|取消|拒绝|重复|废弃", re.I),
    ),
    (
        "indeterminate",
        "waiting",
        re.compile(r"review|test|qa\b|verif|block|hold|wait|park|ready for|审核|评审|测试|验证|阻塞|等待|挂起", re.I),
    ),
)

# item type names -> flow item (English, German, French, Spanish and Chinese names of Jira's default types)
TYPE_HINTS: tuple[tuple[str, re.Pattern, str], ...] = (
    (
        "exclude",
        re.compile(r"\bepic\b|史诗|epos|épopée|épica", re.I),
        "an epic groups flow items: its stories are the flow items",
    ),
    (
        "exclude",
        re.compile(r"sub-?task|子任务|unteraufgabe|sous-tâche|subtarea", re.I),
        "a sub-task is part of its parent's flow item",
    ),
    ("exclude", re.compile(r"test (execution|plan|set)|xray", re.I), "a test artefact, not customer value"),
    ("defect", re.compile(r"bug|defect|incident|problem|缺陷|故障|错误|fehler|anomalie|error", re.I), "a defect"),
    (
        "risk",
        re.compile(r"vulnerab|security|risk|compliance|漏洞|安全|风险|sicherheit|sécurité|seguridad", re.I),
        "a risk",
    ),
    ("debt", re.compile(r"debt|refactor|chore|maintenance|技术债|重构|schuld|dette|deuda", re.I), "debt"),
    (
        "feature",
        re.compile(
            r"story|feature|improvement|requirement|enhancement|task|issue|故事|需求|改进|任务|功能|aufgabe|tâche|tarea|historia|besoin",
            re.I,
        ),
        "new value for a customer",
    ),
)

# labels that turn a generic issue type (GitHub, GitLab, Linear 'Issue') into another flow item
LABEL_HINTS: tuple[tuple[str, re.Pattern], ...] = (
    ("defect", re.compile(r"^(type[:/ -]*)?(bug|defect|regression)$", re.I)),
    ("risk", re.compile(r"^(type[:/ -]*)?(security|vulnerability|compliance)$", re.I)),
    ("debt", re.compile(r"^(type[:/ -]*)?(tech[- ]?debt|refactor(ing)?|chore)$", re.I)),
)


def prepare(warehouse: Warehouse, project_dir: Path | None = None, say: Say = print) -> None:
    """Build the seeds, staging models and mapping models the mapping commands read (not the marts)."""
    if not warehouse.exists():
        raise FileNotFoundError(f"{warehouse}: no warehouse here (land files first: flowmart land DIR)")
    config = dbt.DbtSettings(project_dir=project_dir) if project_dir else dbt.DbtSettings()
    command = dbt.build_command(warehouse, select=MAPPING_MODELS, say=say)
    with warehouse.writing(on_wait=say):
        # cautious: only the data tests of what is built (not, say, a test of flow_distribution_targets)
        dbt.run_dbt(warehouse, [command[0], "--quiet", "--indirect-selection", "cautious", *command[1:]], config)


# --- draft -------------------------------------------------------------------------------------------------


@dataclass
class Draft:
    statuses: list[dict] = field(default_factory=list)
    types: list[dict] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)
    streams: list[dict] = field(default_factory=list)
    stages: list[dict] = field(default_factory=list)

    def files(self) -> dict[str, tuple[tuple[str, ...], list[dict]]]:
        return {
            "status_mappings.csv": (STATUS_COLUMNS, self.statuses),
            "flow_item_types.csv": (TYPE_COLUMNS, self.types),
            "stream_assignment_rules.csv": (RULE_COLUMNS, self.rules),
            "value_streams.csv": (STREAM_COLUMNS, self.streams),
            "value_stream_stages.csv": (STAGE_COLUMNS, self.stages),
            # the demo's targets name the demo's streams: a new team starts without targets
            "flow_distribution_targets.csv": (TARGET_COLUMNS, []),
        }


def _state_of(category: str | None, names: list[str]) -> tuple[str, str]:
    """The proposed flow state of a status and why (the ``note``)."""
    base = STATE_OF_CATEGORY.get((category or "").lower())
    if base is None:
        return "unknown", (
            "the tracker gives no category (deleted from its status list?): set flow_state "
            "(new, active, waiting, done or canceled) and stage"
        )
    for when, state, pattern in STATUS_HINTS:
        if (category or "").lower() == when and any(pattern.search(name) for name in names):
            return state, f"guess from the name and the tracker category '{category}': check it"
    return base, f"from the tracker category '{category}'"


def _type_of(name: str | None, is_subtask: bool) -> tuple[str, str]:
    if is_subtask:
        return "exclude", "the tracker marks it a sub-task: part of its parent's flow item"
    for flow_item, pattern, why in TYPE_HINTS:
        if name and pattern.search(name):
            return flow_item, f"guess from the name: {why}; check it"
    return "feature", "not recognised: proposed as feature, check it"


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return slug or "stream"


def draft(warehouse: Warehouse) -> Draft:
    """The draft seeds for everything landed in the warehouse (after :func:`prepare`)."""
    out = Draft()
    with warehouse.connect(read_only=True) as con:
        statuses = con.execute("""
            with seen as (
                select source, instance, status_id, status, status_category
                from intermediate.int_statuses_mapped
                union
                select 'jira', instance, status_id, status_name, status_category
                from staging.stg_jira__statuses
            ),
            listed as (
                select instance, status_id, any_value(status_name) as listed_name
                from staging.stg_jira__statuses
                group by all
            ),
            grouped as (
                select
                    seen.source,
                    -- statuses of trackers with ids are per instance; names mean the same everywhere
                    case when seen.status_id is not null then seen.instance else '*' end as instance,
                    seen.status_id,
                    case when seen.status_id is null then lower(trim(seen.status)) end as name_key,
                    list(distinct seen.status order by seen.status) as names,
                    max(listed.listed_name) as listed_name,
                    max(seen.status) as any_name,
                    mode(seen.status_category) as status_category
                from seen
                left join listed
                    on seen.source = 'jira'
                    and seen.instance = listed.instance
                    and seen.status_id = listed.status_id
                where seen.status is not null and seen.status <> '(none)'
                group by 1, 2, 3, 4
            )
            select source, instance, status_id, names, coalesce(listed_name, any_name), status_category
            from grouped
            order by source, instance, try_cast(status_id as bigint), status_id, name_key
        """).fetchall()
        for source, instance, status_id, names, name, category in statuses:
            state, note = _state_of(category, names)
            others = [n for n in names if n != name]
            if others:
                note += "; also seen as " + ", ".join(f"'{n}'" for n in others)
            out.statuses.append(
                {
                    "source": source,
                    "instance": instance,
                    "status_id": status_id or "",
                    "status": name,
                    "value_stream_id": "",
                    "flow_state": state,
                    "stage": STAGE_OF_STATE.get(state, ""),
                    "note": note,
                }
            )

        types = con.execute("""
            select
                source,
                case when tracker_item_type_id is not null then instance else '*' end as instance,
                tracker_item_type_id,
                coalesce(max(tracker_item_type), '(none)') as tracker_item_type,
                coalesce(bool_or(is_subtask), false) as is_subtask,
                count(*) as items
            from intermediate.int_work_items_mapped
            group by source, case when tracker_item_type_id is not null then instance else '*' end,
                tracker_item_type_id, case when tracker_item_type_id is null then lower(trim(tracker_item_type)) end
            order by source, instance, tracker_item_type
        """).fetchall()
        generic = set()
        for source, instance, type_id, name, is_subtask, items in types:
            flow_item, note = _type_of(name, bool(is_subtask))
            if name.lower() == "issue" or (source in ("github", "gitlab", "linear") and flow_item == "feature"):
                generic.add(source)
            out.types.append(
                {
                    "source": source,
                    "instance": instance,
                    "tracker_item_type_id": type_id or "",
                    "tracker_item_type": name,
                    "label": "",
                    "flow_item_type": flow_item,
                    "note": f"{note} ({items} item{'s' if items != 1 else ''})",
                }
            )
        if generic:
            labels = con.execute(
                """
                select source, tracker_item_type, trim(label) as label, count(*) as items
                from (
                    select source, tracker_item_type, unnest(string_split(trim(labels, '|'), '|')) as label
                    from intermediate.int_work_items_mapped
                    where labels is not null and source in (select unnest(?::varchar[]))
                ) as item_labels
                where trim(label) <> ''
                group by all
                order by source, tracker_item_type, label
            """,
                [sorted(generic)],
            ).fetchall()
            for source, type_name, label, items in labels:
                for flow_item, pattern in LABEL_HINTS:
                    if pattern.search(label):
                        out.types.append(
                            {
                                "source": source,
                                "instance": "*",
                                "tracker_item_type_id": "",
                                "tracker_item_type": type_name,
                                "label": label,
                                "flow_item_type": flow_item,
                                "note": f"guess from the label ({items} item{'s' if items != 1 else ''}): check it",
                            }
                        )
                        break

        projects = con.execute("""
            select source, instance, coalesce(project_key, area_path) as project, count(*) as items,
                max(project_name) as project_name,
                case when project_key is null and area_path is not null then 'area_path' else 'project' end as field
            from intermediate.int_work_items_mapped
            where coalesce(project_key, area_path) is not null
            group by all
            order by items desc, source, instance, project
        """).fetchall()
    streams: dict[str, str] = {}
    for priority, (source, instance, project, items, project_name, match_field) in enumerate(projects, start=1):
        stream = _slug(project)
        while stream in streams and streams[stream] != f"{source}|{instance}|{project}":
            stream += "_2"
        streams[stream] = f"{source}|{instance}|{project}"
        out.rules.append(
            {
                "priority": priority * 10,
                "source": source,
                "instance": instance,
                "match_field": match_field,
                "match_type": "exact",
                "match_value": project,
                "value_stream_id": stream,
            }
        )
        title = project_name or project
        out.streams.append(
            {
                "value_stream_id": stream,
                "name": f"{title} (placeholder: name the stream)",
                "customer_segment": "TODO: the customer segment it serves",
                "persona": "TODO: the persona or job to be done",
                "stream_kind": "top_level",
                "serves": "",
                "north_star_metric": "TODO: the one outcome metric",
                "start_trigger": "TODO: what starts the stream's timeline",
                "finish_line": "TODO: what value realized means",
                "outcome": f"TODO: We win when ... happens for ... ({items} items of {source} {instance} {project})",
            }
        )
    for order, (stage, state, intent) in enumerate(DRAFT_STAGES, start=1):
        out.stages.append(
            {
                "value_stream_id": "*",
                "stage": stage,
                "stage_order": order,
                "intent": intent,
                "proof_point": "",
                "policy_sla_days": "",
                "primary_metric": "",
                "note": f"placeholder stage for {state} statuses: rename and split into the stream's real stages",
            }
        )
    return out


def write_draft(result: Draft, out_dir: Path) -> list[Path]:
    """Write the draft seed files into ``out_dir`` (created), each in its seed's own CSV format."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (columns, rows) in result.files().items():
        path = out_dir / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written


# --- check -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # unknown_status | category_status | ambiguous_status | unmapped_type | unassigned
    source: str
    instance: str
    value: str  # the status / type / project, with its id
    items: int
    fix: str  # what to add or change


HEADINGS = {
    "unknown_status": "Statuses with no mapping row and no tracker category (flow state unknown: never started)",
    "category_status": "Statuses with no mapping row (flow state from the tracker category: a guess)",
    "ambiguous_status": "Statuses two equally ranked mapping rows disagree on",
    "unmapped_type": "Item types with no flow_item_types row (flow_item_type unmapped)",
    "unassigned": "Items no stream-assignment rule matches (value stream unassigned)",
}


def _csv_row(values: list[str]) -> str:
    out = []
    for value in values:
        text = "" if value is None else str(value)
        out.append('"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text)
    return ",".join(out)


def check(warehouse: Warehouse) -> list[Finding]:
    """What the landed data has unmapped or ambiguous (after :func:`prepare`), most items first."""
    findings: list[Finding] = []
    with warehouse.connect(read_only=True) as con:
        # the items whose timeline (int_status_intervals, as a build makes it) passes through each status
        rows = con.execute("""
            select
                mapped.source, mapped.instance, mapped.status_id, mapped.status, mapped.mapped_by,
                mapped.status_category, mapped.flow_state, bool_or(mapped.is_ambiguous) as is_ambiguous,
                count(distinct intervals.work_item_id) as items
            from intermediate.int_statuses_mapped as mapped
            inner join intermediate.int_status_intervals as intervals
                on mapped.value_stream_id = intervals.value_stream_id
                and mapped.source = intervals.source
                and mapped.instance = intervals.instance
                and mapped.status = intervals.status
                and mapped.status_id_key = coalesce(intervals.status_id, '')
            where mapped.mapped_by <> 'status_mappings' or mapped.is_ambiguous
            group by all
            order by items desc, mapped.source, mapped.instance, mapped.status
        """).fetchall()
        for source, instance, status_id, status, mapped_by, category, state, ambiguous, items in rows:
            label = f"{status} (id {status_id})" if status_id else status
            row_instance = instance if status_id else "*"
            if ambiguous:
                findings.append(
                    Finding(
                        "ambiguous_status",
                        source,
                        instance,
                        label,
                        items,
                        "keep one row per status and rank (seeds/status_mappings.csv), or give the intended one a status_id",
                    )
                )
            if mapped_by == "unknown":
                row = _csv_row([source, row_instance, status_id or "", status, "", "<flow_state>", "<stage>", ""])
                findings.append(Finding("unknown_status", source, instance, label, items, f"add: {row}"))
            elif mapped_by == "status_category":
                row = _csv_row([source, row_instance, status_id or "", status, "", state, "<stage>", ""])
                findings.append(
                    Finding(
                        "category_status",
                        source,
                        instance,
                        f"{label}, category {category} -> {state}",
                        items,
                        f"add: {row}",
                    )
                )
        for source, instance, type_id, type_name, items in con.execute("""
            select source, instance, tracker_item_type_id, coalesce(tracker_item_type, '(none)'), count(*)
            from intermediate.int_work_items_mapped
            where flow_item_type = 'unmapped'
            group by all
            order by 5 desc, 1, 2, 4
        """).fetchall():
            label = f"{type_name} (id {type_id})" if type_id else type_name
            row = _csv_row(
                [
                    source,
                    instance if type_id else "*",
                    type_id or "",
                    type_name,
                    "",
                    "<feature|defect|risk|debt|exclude>",
                    "",
                ]
            )
            findings.append(
                Finding("unmapped_type", source, instance, label, items, f"add to seeds/flow_item_types.csv: {row}")
            )
        for source, instance, project, items in con.execute("""
            select source, instance, coalesce(project_key, area_path, '(no project)'), count(*)
            from intermediate.int_work_items_mapped
            where value_stream_id = 'unassigned'
            group by all
            order by 4 desc, 1, 2, 3
        """).fetchall():
            row = _csv_row(["<priority>", source, instance, "project", "exact", project, "<value_stream_id>"])
            findings.append(
                Finding(
                    "unassigned",
                    source,
                    instance,
                    f"project {project}",
                    items,
                    f"add to seeds/stream_assignment_rules.csv: {row}",
                )
            )
    return findings


def format_findings(findings: list[Finding]) -> list[str]:
    """The findings as lines for a terminal, grouped by kind, each with its count and fix."""
    lines: list[str] = []
    for kind, heading in HEADINGS.items():
        part = [f for f in findings if f.kind == kind]
        if not part:
            continue
        lines.append(f"{heading}: {len(part)}")
        for finding in part:
            lines.append(
                f"  {finding.source} {finding.instance}: {finding.value} - {finding.items} item"
                f"{'s' if finding.items != 1 else ''}; {finding.fix}"
            )
    return lines
