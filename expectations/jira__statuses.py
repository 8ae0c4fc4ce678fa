"""raw.jira_statuses: one row per status per landed /rest/api/2/status list."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations.shared import QUARANTINE, WARNING, GateSettings, Mappings, expect, longest, suite, text

TABLE = "jira_statuses"
SUITE_NAME = "jira__statuses"
STATUS_CATEGORIES = ["new", "indeterminate", "done", "undefined"]


def frame_sql(settings: GateSettings) -> str:
    return f"""
    select
        _file_hash,
        _record_position,
        {text("instance")} as instance,
        {text("status_id")} as status_id,
        {text("status_name")} as status_name,
        lower({text("status_category_key")}) as status_category,
        row_number() over (partition by _file_hash, instance, status_id order by _record_position) as copy_number,
        {longest(["instance", "status_id", "status_name", "status_category_key"])} as longest_identifier
    from raw.jira_statuses
    """


def build_suite(mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
    limit = settings.max_identifier_length
    return suite(
        SUITE_NAME,
        [
            *[
                expect(gxe.ExpectColumnValuesToNotBeNull, QUARANTINE, f"{c}_present", f"status has no {c}", column=c)
                for c in ("instance", "status_id", "status_name")
            ],
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "status_id_unique_in_file",
                "status id repeated within the same list (later copies are quarantined)",
                column="copy_number",
                min_value=1,
                max_value=1,
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                QUARANTINE,
                "values_not_huge",
                f"a status value is longer than {limit} characters",
                column="longest_identifier",
                max_value=limit,
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "status_category_known",
                "status category is not new, indeterminate, done or undefined",
                column="status_category",
                value_set=STATUS_CATEGORIES,
            ),
        ],
    )
