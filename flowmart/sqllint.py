"""`make lint`'s SQL half: sqlfluff with the dbt templater over models/, macros/ and analyses/.

The models read the tracker registry from dbt's ``--vars`` (flowmart/dbt.py), which a ``.sqlfluff`` file
cannot hold (its values are text), so the templater's context is set here from the registry; every other
setting is in ``.sqlfluff``.

    python -m flowmart.sqllint [--fix] [PATH ...]
"""

from __future__ import annotations

import argparse
import sys

from flowmart import settings
from flowmart.dbt import DbtSettings, dbt_vars
from flowmart.warehouse import Warehouse

DEFAULT_PATHS = ("models", "analyses")


def config():
    from sqlfluff.core import FluffConfig

    base = FluffConfig.from_root()
    configs = base._configs  # the loaded .sqlfluff, as nested dicts
    configs.setdefault("templater", {}).setdefault("dbt", {})["context"] = dbt_vars(
        Warehouse(settings.PROJECT_DIR / "target" / "sqlfluff.duckdb"), DbtSettings()
    )
    return FluffConfig(configs=configs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flowmart.sqllint", description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths", nargs="*", default=list(DEFAULT_PATHS), help="files or folders (default: models analyses)"
    )
    parser.add_argument("--fix", action="store_true", help="rewrite the files where sqlfluff can")
    args = parser.parse_args(argv)
    from sqlfluff.core import Linter

    linter = Linter(config=config())
    result = linter.lint_paths(tuple(args.paths), fix=args.fix, apply_fixes=args.fix)
    problems = 0
    for record in result.as_records():
        for violation in record["violations"]:
            problems += 1
            print(
                f"{record['filepath']}:{violation['start_line_no']}:{violation['start_line_pos']}: "
                f"{violation['code']} {violation['description']}"
            )
    files = len(result.as_records())
    print(f"sqlfluff: {problems} problem(s) in {files} file(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
