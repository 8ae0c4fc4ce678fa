"""`flowmart pull jira|github`: fetch a tracker's API pages into an export folder and land them."""

from __future__ import annotations

import argparse

from flowmart import pipeline
from flowmart.cli.output import add_db_option, say
from flowmart.warehouse import Warehouse


def run(args: argparse.Namespace) -> int:
    options = pipeline.PullOptions(
        tracker=args.tracker,
        target=args.url if args.tracker == "jira" else args.repo,
        jql=getattr(args, "jql", None),
        api_url=getattr(args, "api_url", None),
        deployment=getattr(args, "deployment", None),
        out=args.out,
        full=args.full,
        land=not args.no_land,
    )
    outcome = pipeline.pull(Warehouse.at(args.db), options, say)
    if outcome.landed:
        landed = [r for r in outcome.landed if r.status == "landed"]
        skipped = len(outcome.landed) - len(landed)
        say(
            f"pull: landed {len(landed)} file(s), {sum(r.rows for r in landed):,} rows"
            + (f"; {skipped} already landed" if skipped else "")
            + " (run `flowmart build` to gate, build and publish)"
        )
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    add_db_option(p)
    p.add_argument(
        "--out",
        metavar="DIR",
        help="landing folder (default: $FLOWMART_LANDING_DIR, else ./landing); pages go to "
        "DIR/<tracker>/<instance>/<UTC timestamp>/",
    )
    p.add_argument("--full", action="store_true", help="ignore the cursor: pull everything the query selects")
    p.add_argument("--no-land", action="store_true", help="only write the pages (the cursor does not move)")
    p.set_defaults(func=run)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "pull",
        help="fetch a tracker's issues and histories from its API into an export folder, then land them",
        description=(
            "Pull from a tracker's REST API: the responses, as the tracker returned them, are written one file per "
            "page into the landing folder and landed like any hand-saved export. Incremental: the warehouse keeps "
            "a cursor per tracker instance and query (raw.sync_state), and the next pull asks only for what was "
            "updated since, minus an overlap; the cursor moves only after the pages landed. Credentials come from "
            "the environment only and never appear in output or files (docs/trackers.md)."
        ),
    )
    sub = parser.add_subparsers(dest="tracker", metavar="TRACKER")
    sub.required = True
    jira = sub.add_parser(
        "jira",
        help="Jira Cloud or Data Center: issues with changelogs, truncated changelogs, the status list",
        description=(
            "Pull Jira issues with their changelogs and the status list. Credentials: JIRA_EMAIL + JIRA_API_TOKEN "
            "(Cloud, basic auth) or JIRA_TOKEN (Data Center personal access token). Cloud pages through "
            "/rest/api/3/search/jql, Data Center through /rest/api/2/search; /rest/api/2/serverInfo says which. "
            'Incremental pulls add updated >= "yyyy/MM/dd HH:mm" (the cursor minus a day: JQL dates are in the '
            "account's time zone) and order by updated."
        ),
    )
    jira.add_argument("--url", required=True, help="the site, e.g. https://example.atlassian.net")
    jira.add_argument("--jql", help='what to pull, e.g. "project in (FLEET, PAY)" (default: every issue)')
    jira.add_argument("--deployment", choices=("cloud", "datacenter"), help="skip asking /rest/api/2/serverInfo")
    _common(jira)
    github = sub.add_parser(
        "github",
        help="GitHub: a repository's issues and issue events",
        description=(
            "Pull a repository's issues (state=all, pull requests included as the API returns them) and its issue "
            "events, following the Link header. Credentials: GITHUB_TOKEN. Incremental pulls ask for issues "
            "updated since the cursor minus an hour (since=) and stop reading events (newest first) once they are "
            "older than that. GitHub's rate limits are waited out (Retry-After, x-ratelimit-reset)."
        ),
    )
    github.add_argument("--repo", required=True, metavar="OWNER/NAME", help="the repository")
    github.add_argument("--api-url", metavar="URL", help="GitHub Enterprise Server API, e.g. https://host/api/v3")
    _common(github)
