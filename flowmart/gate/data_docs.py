"""The gate's Data Docs: one GX validation result per suite (chunk results merged), and an offline index page.

GX's renderers write values into its HTML pages as they are, so tracker text (a status named
``<img src=x onerror=...>``) would run in a reader's browser. Every value Flowmart hands to GX for rendering,
the unexpected values and the expectations' arguments, is HTML-escaped first (:func:`escaped`).
"""

from __future__ import annotations

import html
from pathlib import Path

from expectations.shared import CRITICAL
from flowmart.gate.outcomes import GateReport


def escaped(value):
    """``value`` with every string in it HTML-escaped (lists, tuples and dicts walked)."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {escaped(k): escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(escaped(v) for v in value)
    return value


# the expectation arguments that carry values (tracker text, or mapping seeds copied from it); the others
# (column, row_condition, condition_parser, mostly, ...) are Flowmart's own and GX parses some of them
VALUE_KWARGS = {"value_set", "value", "regex", "regex_list", "like_pattern", "like_pattern_list"}


def _escaped_config(config):
    """A copy of an ExpectationConfiguration whose value arguments are safe to render."""
    if config is None:
        return None
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    kwargs = {key: escaped(value) if key in VALUE_KWARGS else value for key, value in dict(config.kwargs).items()}
    return ExpectationConfiguration(type=config.type, kwargs=kwargs, meta=escaped(dict(config.meta or {})))


def build_data_docs(context, suites: dict, report: GateReport, docs_dir: Path) -> Path:
    """One validation result per suite (chunk results merged) rendered as a GX Data Docs site."""
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    docs_dir.mkdir(parents=True, exist_ok=True)
    run = RunIdentifier(run_name=f"gate-{report.run_id[:8]}", run_time=report.run_at)
    for suite_name in suites:
        results = []
        mine = [o for o in report.outcomes if o.suite == suite_name]
        for o in mine:
            result = {
                "element_count": o.element_count,
                "unexpected_count": o.unexpected_count,
                "unexpected_percent": (100.0 * o.unexpected_count / o.element_count) if o.element_count else 0.0,
                "partial_unexpected_list": escaped(list(o.partial_unexpected or [])),
                "missing_count": o.missing_count,
            }
            results.append(
                ExpectationValidationResult(
                    success=o.success,
                    expectation_config=_escaped_config(o.config),
                    result=result,
                    exception_info={
                        "raised_exception": bool(o.error),
                        "exception_message": escaped(o.error),
                        "exception_traceback": None,
                    },
                )
            )
        successful = sum(1 for o in mine if o.success)
        table = mine[0].table if mine else suite_name
        validation = ExpectationSuiteValidationResult(
            success=all(o.success for o in mine),
            results=results,
            suite_name=suite_name,
            statistics={
                "evaluated_expectations": len(mine),
                "successful_expectations": successful,
                "unsuccessful_expectations": len(mine) - successful,
                "success_percent": 100.0 * successful / len(mine) if mine else 100.0,
            },
            meta={
                "run_id": run,
                "active_batch_definition": {"datasource_name": "duckdb", "data_asset_name": f"raw.{table}"},
                "flowmart_run_id": report.run_id,
                "applied": report.applied,
            },
        )
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            run_id=run,
            batch_identifier=f"raw.{table}",
        )
        context.validation_results_store.set(key, validation)
    site = "flowmart"
    if site not in (context.variables.data_docs_sites or {}):
        context.add_data_docs_site(
            site_name=site,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    context.build_data_docs(site_names=[site])
    return write_offline_index(report, run.run_name, suites, docs_dir)


def write_offline_index(report: GateReport, run_name: str, suites: dict, docs_dir: Path) -> Path:
    """A plain HTML page for this run that needs no network, linking GX's validation pages.

    GX's own index.html builds its tables with JavaScript loaded from public CDNs, so it shows an empty
    list on a machine without internet access; the validation pages themselves render offline.
    """
    rows = []
    for suite_name in suites:
        mine = [o for o in report.outcomes if o.suite == suite_name]
        pages = sorted((docs_dir / "validations" / suite_name / run_name).rglob("*.html"))
        link = (
            f'<a href="{html.escape(pages[-1].relative_to(docs_dir).as_posix())}">{html.escape(suite_name)}</a>'
            if pages
            else html.escape(suite_name)
        )
        failed = [o for o in mine if not o.success]
        details = "".join(
            f"<li><b>{html.escape(o.severity)}</b> {html.escape(o.check)}: {o.unexpected_count:,} row(s) — "
            f"{html.escape(o.message)}</li>"
            for o in failed
        )
        status = "passed" if not failed else ("FAILED" if any(o.severity == CRITICAL for o in failed) else "issues")
        rows.append(
            f"<tr><td>{link}</td><td>{len(mine)}</td><td>{len(mine) - len(failed)}</td>"
            f"<td class='{status.lower()}'>{status}</td><td><ul>{details}</ul></td></tr>"
        )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Flowmart quality gate — run {html.escape(report.run_id)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; vertical-align: top; }}
.passed {{ color: #009E73; }} .failed {{ color: #D55E00; font-weight: bold; }} .issues {{ color: #E69F00; }}
ul {{ margin: 0; padding-left: 1.2rem; }}
</style></head><body>
<h1>Flowmart input quality gate</h1>
<p>Run {html.escape(report.run_id)} at {html.escape(report.run_at.isoformat())}: {html.escape(report.summary())}</p>
<p>Each suite links to its Great Expectations validation page; <a href="index.html">GX's own index</a> needs
internet access for its scripts.</p>
<table><thead><tr><th>suite</th><th>expectations</th><th>passed</th><th>status</th><th>failed checks</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
</body></html>
"""
    target = docs_dir / "gate-run.html"
    target.write_text(page, encoding="utf-8")
    return target
