"""The demo company's exports: Jira Cloud and Data Center (:mod:`.jira`), GitHub and Azure Boards (:mod:`.trackers`)."""

from datetime import date

EXPORT_END = date(2026, 11, 15)
"""The moment the demo exports were taken (00:00 UTC): every event lies before it, and the demo builds as of it."""
