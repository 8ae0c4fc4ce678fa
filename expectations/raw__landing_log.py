"""raw.landing_log: one row per landed file (and per file whose latest landing attempt was refused).

The file-level suite runs after the row-level suites, because it needs how many of each file's rows
those are about to quarantine (temp table ``_gate_to_quarantine(file_hash, rows)``, filled by the gate).
"""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.shared import CRITICAL, WARNING, GateSettings, Mappings, expect, suite

TABLE = "landing_log"
SUITE_NAME = "raw__landing_log"


def frame_sql(settings: GateSettings, main_table: dict[str, str], guarded: list[str]) -> str:
    """``main_table``: the raw table whose row count landing_log.rows records, per kind of file;
    ``guarded``: the kinds whose main table a suite guards (both from the tracker registry)."""
    in_raw = "\n            union all\n".join(
        f"select '{table}' as source_table, _file_hash as file_hash, count(*) as rows "
        f"from raw.{table} group by _file_hash"
        for table in sorted(set(main_table.values()))
    )
    kinds = " ".join(f"when '{kind}' then '{table}'" for kind, table in main_table.items())
    return f"""
    with

    attempts as (
        select
            *,
            row_number() over (partition by file_path order by finished_at desc, started_at desc) as attempt_rank
        from raw.landing_log
        where status in ('landed', 'refused')
    ),

    files as (
        -- every landed file, and every path whose latest attempt was refused
        select file_path, file_hash, kind, status, reason, rows
        from attempts
        where status = 'landed' or (status = 'refused' and attempt_rank = 1)
    ),

    in_raw as (
            {in_raw}
    ),

    quarantined as (
        select source_table, file_hash, count(*) as rows
        from raw.quarantine
        group by all
    )

    select
        files.file_path,
        files.file_hash as _file_hash,
        cast(0 as bigint) as _record_position,
        files.status,
        files.kind,
        files.kind in ({", ".join(f"'{k}'" for k in guarded)}) as has_suite,
        case when files.status = 'refused' then files.reason end as refusal_reason,
        files.rows as rows_landed,
        coalesce(in_raw.rows, 0) as rows_in_raw,
        coalesce(quarantined.rows, 0) as rows_quarantined_before,
        coalesce(to_quarantine.rows, 0) as rows_to_quarantine,
        coalesce(in_raw.rows, 0) + coalesce(quarantined.rows, 0) as rows_accounted,
        coalesce(in_raw.rows, 0) - coalesce(to_quarantine.rows, 0) as rows_usable
    from files
    left join in_raw
        on files.status = 'landed'
        and in_raw.file_hash = files.file_hash
        and in_raw.source_table = case files.kind {kinds} end
    left join quarantined
        on files.status = 'landed'
        and quarantined.file_hash = files.file_hash
        and quarantined.source_table = case files.kind {kinds} end
    left join _gate_to_quarantine as to_quarantine
        on files.status = 'landed'
        and to_quarantine.file_hash = files.file_hash
        and to_quarantine.source_table = case files.kind {kinds} end
    """


def build_suite(
    mappings: Mappings, settings: GateSettings, guarded_kinds: list[str] | None = None
) -> gx.ExpectationSuite:
    """``guarded_kinds``: the kinds of file whose main raw table a suite guards (the gate passes the registry's)."""
    landed = Column("status") == "landed"
    guarded = landed & (Column("has_suite") == True)  # noqa: E712 (a GX condition, not a Python test)
    return suite(
        SUITE_NAME,
        [
            expect(
                gxe.ExpectColumnValuesToBeNull,
                CRITICAL,
                "file_landed",
                "the file was refused at landing (fix it and land it again, or move it out of the landing folder)",
                column="refusal_reason",
            ),
            expect(
                gxe.ExpectColumnPairValuesToBeEqual,
                CRITICAL,
                "rows_reconcile",
                "rows in raw plus rows in quarantine differ from the rows the file held when it was landed",
                column_A="rows_accounted",
                column_B="rows_landed",
                row_condition=guarded,
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                CRITICAL,
                "file_usable",
                "every row of the file fails a row-level check: the whole file is unusable",
                column="rows_usable",
                min_value=1,
                row_condition=guarded & (Column("rows_in_raw") > 0),
            ),
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                WARNING,
                "file_not_empty",
                "the file holds no rows (a header only, or an empty list)",
                column="rows_landed",
                min_value=1,
                row_condition=landed,
            ),
            expect(
                gxe.ExpectColumnValuesToBeInSet,
                WARNING,
                "file_kind_guarded",
                "no suite guards this kind of file yet: its rows were not checked",
                column="kind",
                value_set=sorted(guarded_kinds or []),
                row_condition=landed,
            ),
        ],
    )
