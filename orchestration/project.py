"""The dbt project as Dagster sees it, built once: dagster-dbt's DbtProject, its manifest prepared by
dagster-dbt (``prepare_if_dev`` under `dg dev`, `dagster-dbt project prepare-and-package --file
orchestration/project.py` before a deployment; `make dagster` and `make test` run the latter).

The parse gets the same ``--vars`` every Flowmart dbt call gets (the tracker registry among them), so the
manifest's unions name every registered tracker (docs/adr/0004-dbt-manifest-by-dagster-dbt.md).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from flowmart import settings
from flowmart.dbt import DbtSettings, dbt_vars
from flowmart.warehouse import Warehouse

DBT_TARGET = Path("target") / "dagster"
"""Where the manifest Dagster loads lives (gitignored; apart from `flowmart dbt` runs in target/)."""

# dagster-dbt runs `dbt` from PATH; the dbt installed beside this Python (the project's venv) comes first,
# as in an activated venv, whichever way Dagster was started
_VENV_BIN = str(Path(sys.executable).parent)
if (Path(_VENV_BIN) / "dbt").exists() and _VENV_BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([_VENV_BIN, os.environ.get("PATH", "")])

DBT_PROJECT = DbtProject(
    project_dir=settings.PROJECT_DIR,
    target_path=DBT_TARGET,
    prepare_project_cli_args=["parse", "--quiet", "--vars", json.dumps(dbt_vars(Warehouse.at(), DbtSettings()))],
)
DBT_PROJECT.prepare_if_dev()
if not DBT_PROJECT.manifest_path.exists():  # a fresh clone outside `dg dev`: prepare it once
    DBT_PROJECT.preparer.prepare(DBT_PROJECT)
