"""raw.gitlab_issues: one row per issue per landed GitLab issue-list page."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.shared import (
    CRITICAL,
    QUARANTINE,
    WARNING,
    GateSettings,
    Mappings,
    empty_in_file_by_file,
    expect,
    in_file_copies,
    key,
    latest_allowed,
    longest,
    suite,
    text,
    timestamp_checks,
    utc,
)

TABLE = "gitlab_issues"
SUITE_NAME = "gitlab__issues"
REQUIRED_IN_FILE = ["state", "created_at"]
STATES = ["opened", "closed"]


def frame_sql(settings: GateSettings) -> str:
    return f"""
    select
        _file_hash,
        _record_position,
        {text("instance")} as instance,
        {text("issue_id")} as issue_id,
        {text("issue_iid")} as issue_iid,
        {text("created_at")} as created_at,
        {text("updated_at")} as updated_at,
        {text("closed_at")} as closed_at,
        {text("state")} as state,
        lower({text("state")}) as state_norm,
        {utc("created_at")} as created_at_utc,
        {utc("updated_at")} as updated_at_utc,
        {utc("closed_at")} as closed_at_utc,
        {latest_allowed(settings)} as latest_allowed_at,
        -- the status before labels count (staging: stg_gitlab__issues)
        case when {text("state")} is not null
            then 'gitlab|' || case when lower(trim(state)) = 'closed' then 'closed' else 'open' end end as status_key,
        {key("'gitlab'", "coalesce(issue_type, 'issue')")} as issue_type_key,
        length(title) as title_length,
        coalesce(copies.copy_number, 1) as copy_number,
        {
        longest(
            [
                "instance",
                "issue_id",
                "issue_iid",
                "project_id",
                "state",
                "issue_type",
                "created_at",
                "updated_at",
                "closed_at",
            ]
        )
    } as longest_identifier,
        files.empty_required_columns
    from raw.gitlab_issues
    left join {in_file_copies("raw.gitlab_issues", ["trim(instance)", "trim(issue_iid)"])} as copies
        using (_file_hash, _record_position)
    left join {empty_in_file_by_file("raw.gitlab_issues", REQUIRED_IN_FILE)} as files
        using (_file_hash)
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    limit = settings.max_identifier_length
    timestamps = []
    for column, label in (
        ("created_at", "creation time"),
        ("updated_at", "update time"),
        ("closed_at", "closing time"),
    ):
        timestamps += timestamp_checks(column, label, settings)
    return suite(
        SUITE_NAME,
        [
            expect(
                gxe.ExpectColumnValuesToBeNull,
                CRITICAL,
                "required_column_present",
                "a required field (" + ", ".join(REQUIRED_IN_FILE) + ") is missing from every issue of the file",
                column="empty_required_columns",
            ),
            *[
                expect(gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, f"{c}_present", f"issue has no {label}", column=c)
                for c, label in (
                    ("instance", "project path"),
                    ("issue_id", "id"),
                    ("issue_iid", "iid"),
                    ("created_at", "creation time (created_at)"),
                )
            ],
            *timestamps,
            expect(
                gxe.ExpectColumnValuesToNotBeNull,
                QUARANTINE,
                "state_present",
                "issue has no state (opened / closed)",
                column="state",
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "issue_iid_unique_in_file",
                "issue repeated within the same file (later copies are quarantined)",
                column="copy_number",
                min_value=1,
                max_value=1,
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "values_not_huge",
                f"a key, state, type or timestamp value is longer than {limit} characters",
                column="longest_identifier",
                max_value=limit,
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "state_known",
                "state is not opened or closed (counted as open)",
                column="state_norm",
                value_set=STATES,
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "status_mapped",
                "status (open, closed) is not in seeds/status_mappings.csv",
                column="status_key",
                value_set=sorted(mappings.status_keys),
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "issue_type_mapped",
                "issue type is not in seeds/flow_item_types.csv",
                column="issue_type_key",
                value_set=sorted(mappings.type_keys),
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                WARNING,
                "title_not_huge",
                f"title longer than {settings.max_text_length:,} characters",
                column="title_length",
                max_value=settings.max_text_length,
            ),
        ],
    )
