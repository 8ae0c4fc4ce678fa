"""`make spark-check`: the same dbt project on DuckDB and on Apache Spark, every mart compared row for row.

    python -m flowmart.spark_check [--workdir DIR] [--as-of "2026-11-15 00:00:00"]

1. lands the committed fixture exports (the Jira demo sample and the GitHub, GitLab, Azure Boards and Linear
   fixtures, as the integration tests land them) into a new DuckDB warehouse;
2. builds it with DuckDB (`dbt build`, the production build: models, seeds, data tests);
3. exports the raw schema to Parquet (flowmart/raw_export.py) and declares each folder as the Spark table its
   dbt source names (macro declare_raw_parquet);
4. builds the same project on a local Spark session (`dbt build --target spark`, profiles.yml), then runs
   the incremental models int_status_changes_unioned and stg_jira__issues once more (their incremental path);
5. compares every mart and the incremental models: the same columns, the same rows by the model's
   primary key, every value equal - timestamps to the microsecond, fractional numbers (durations in days)
   within 1e-9;
6. publishes the marts read from Spark (flowmart publish, from a DuckDB file of their rows).

Prints one line per mart and exits 1 on any difference (2 when a step cannot run). Needs the `spark` extra
(pip install -c constraints.txt -e ".[spark]") and Java 17. docs/scaling.md has the measured times.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from flowmart import settings

AS_OF = "2026-11-15 00:00:00"  # the demo sample's export moment (docs/adr/0059): results never depend on today
MART_SCHEMA = "marts"
# the incremental models (docs/adr/0067): run a second time on Spark (their incremental path) and compared
# with DuckDB's too
INCREMENTAL_MODELS = {"int_status_changes_unioned": "intermediate", "stg_jira__issues": "staging"}
TOLERANCE = 1e-9  # days, for durations; any fractional number is compared within it
FRACTIONAL_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL")


class CheckFailed(Exception):
    """A step that cannot run; the message is one line."""


def fixture_landings(project_dir: Path) -> list[tuple[list[Path], dict]]:
    """What to land, as the integration tests land it: (paths, land() keyword arguments)."""
    fixtures = project_dir / "tests" / "fixtures"
    return [
        ([fixtures / "jira_demo_sample", fixtures / "github", fixtures / "gitlab", fixtures / "azure"], {}),
        ([fixtures / "linear"], {"instance": "acme-mobility"}),
    ]


def primary_keys(project_dir: Path) -> dict[str, list[str]]:
    """Each model's grain from its primary_key data test (models/**/*.yml)."""
    keys: dict[str, list[str]] = {}
    for yml in sorted((project_dir / "models").rglob("*.yml")):
        for model in (yaml.safe_load(yml.read_text(encoding="utf-8")) or {}).get("models") or []:
            for test in model.get("data_tests") or []:
                if isinstance(test, dict) and "primary_key" in test:
                    spec = test["primary_key"]
                    keys[model["name"]] = list((spec.get("arguments") or spec)["columns"])
    return keys


@dataclass
class MartResult:
    name: str
    rows_duckdb: int = 0
    rows_spark: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        if not self.problems:
            return f"{self.name}: identical ({self.rows_duckdb} rows)"
        return f"{self.name}: DIFFERENT ({self.rows_duckdb} rows on DuckDB, {self.rows_spark} on Spark): " + "; ".join(
            self.problems
        )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_fractional(data_type: str) -> bool:
    return data_type.upper().startswith(FRACTIONAL_TYPES)


def _normalised(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[str, dict[str, str]]:
    """A select of ``relation`` with timestamps as UTC timestamps without a zone (Spark's arrive with one),
    and its column types."""
    described = con.execute(f"describe select * from {relation}").fetchall()
    types = {row[0]: row[1] for row in described}
    select = ", ".join(
        f"cast({_ident(name)} as timestamp) as {_ident(name)}"
        if data_type.upper().startswith("TIMESTAMP")
        else _ident(name)
        for name, data_type in types.items()
    )
    return f"select {select} from {relation}", types


def compare_mart(con: duckdb.DuckDBPyConnection, name: str, duck: str, spark: str, key: list[str]) -> MartResult:
    """Compare the mart ``duck`` (DuckDB's) with ``spark`` (Spark's, loaded into ``con``) on ``key``."""
    result = MartResult(name)
    duck_select, duck_types = _normalised(con, duck)
    spark_select, spark_types = _normalised(con, spark)
    result.rows_duckdb = con.execute(f"select count(*) from {duck}").fetchall()[0][0]
    result.rows_spark = con.execute(f"select count(*) from {spark}").fetchall()[0][0]
    missing = [c for c in duck_types if c not in spark_types]
    extra = [c for c in spark_types if c not in duck_types]
    if missing:
        result.problems.append(f"columns missing on Spark: {', '.join(missing)}")
    if extra:
        result.problems.append(f"columns only on Spark: {', '.join(extra)}")
    if not key or any(k not in duck_types or k not in spark_types for k in key):
        result.problems.append(f"no primary key to match rows on ({key})")
        return result
    columns = [c for c in duck_types if c in spark_types and c not in key]
    on = " and ".join(f"d.{_ident(k)} is not distinct from s.{_ident(k)}" for k in key)
    both = "d._present and s._present"

    def differs(column: str) -> str:
        d, s = f"d.{_ident(column)}", f"s.{_ident(column)}"
        if _is_fractional(duck_types[column]) or _is_fractional(spark_types[column]):
            return f"not (({d} is null and {s} is null) or coalesce(abs({d} - {s}) <= {TOLERANCE}, false))"
        return f"{d} is distinct from {s}"

    counts = ", ".join(
        [
            "count(*) filter (where s._present is null)",
            "count(*) filter (where d._present is null)",
            *(f"count(*) filter (where {both} and {differs(c)})" for c in columns),
        ]
    )
    joined = (
        f"(select *, true as _present from ({duck_select})) as d "
        f"full outer join (select *, true as _present from ({spark_select})) as s on {on}"
    )
    only_duck, only_spark, *differing = con.execute(f"select {counts} from {joined}").fetchall()[0]
    if only_duck:
        result.problems.append(f"{only_duck} rows only on DuckDB")
    if only_spark:
        result.problems.append(f"{only_spark} rows only on Spark")
    for column, count in zip(columns, differing, strict=True):
        if count:
            example = con.execute(
                f"select {', '.join(f'd.{_ident(k)}' for k in key)}, d.{_ident(column)}, s.{_ident(column)} "
                f"from {joined} where {both} and {differs(column)} limit 1"
            ).fetchall()[0]
            *key_values, duck_value, spark_value = example
            result.problems.append(
                f"{column} differs in {count} rows (e.g. {dict(zip(key, key_values, strict=True))}: "
                f"DuckDB {duck_value!r}, Spark {spark_value!r})"
            )
    return result


class Check:
    def __init__(self, workdir: Path, as_of: str, threads: int | None, say=print) -> None:
        self.workdir = workdir
        self.as_of = as_of
        self.threads = threads
        self.say = say
        self.db = workdir / "flowmart.duckdb"
        self.raw_parquet = workdir / "raw-parquet"
        self.spark_dir = workdir / "spark"
        self.timings: dict[str, float] = {}
        self.current_step = "starting"
        self.spark_marts: dict = {}  # mart -> its rows read from Spark (pyarrow tables)

    def step(self, name: str):
        self.say(f"spark-check: {name}")
        self.current_step = name.split(" (")[0]
        return _Timer(self.timings, name)

    def dbt_settings(self, target: str | None):
        from flowmart.dbt import DbtSettings

        extra = {"flowmart_spark_dir": str(self.spark_dir)} if target == "spark" else {}
        return DbtSettings(
            as_of=self.as_of,
            threads=self.threads,
            target=target,
            target_path=self.workdir / f"target-{target or 'duckdb'}",
            extra_vars=extra,
        )

    def dbt(self, command: list[str], target: str | None) -> None:
        from flowmart.dbt import DbtFailed, run_dbt

        try:
            run_dbt(self.db, command, self.dbt_settings(target))
        except DbtFailed as exc:
            raise CheckFailed(f"{'Spark' if target else 'DuckDB'}: {exc}") from None

    def start_spark(self) -> None:
        """Declare raw in Spark's catalog, which starts the Spark of dbt-spark's session method in this process."""
        location = str(self.raw_parquet.resolve())
        self.dbt(["run-operation", "declare_raw_parquet", "--args", f"{{location: '{location}'}}"], "spark")
        self.spark().sparkContext.setLogLevel("ERROR")

    def compare_again(self) -> list[MartResult]:
        """Compare the marts a previous run left in the workdir (no landing, no builds)."""
        if not (self.db.is_file() and self.spark_dir.is_dir()):
            raise CheckFailed(f"{self.workdir}: no previous run to compare (run without --compare-only first)")
        with self.step("starting Spark on the previous run's tables"):
            self.start_spark()
        with self.step("comparing every mart"):
            return self.compare()

    def run(self) -> list[MartResult]:
        from flowmart.dbt import PRODUCTION_BUILD_EXCLUDES
        from flowmart.landing import land

        for stale in (
            self.db,
            self.raw_parquet,
            self.spark_dir,
            self.workdir / "spark-marts.duckdb",
            self.workdir / "published",
        ):
            if stale.is_dir():
                shutil.rmtree(stale)
            elif stale.exists():
                stale.unlink()
        self.workdir.mkdir(parents=True, exist_ok=True)

        with self.step("landing the fixture exports into a new DuckDB warehouse"):
            for paths, kwargs in fixture_landings(settings.PROJECT_DIR):
                refused = [r.line() for r in land(self.db, paths, **kwargs) if r.status == "refused"]
                if refused:
                    raise CheckFailed(f"a fixture was refused: {refused[0]}")

        build = ["build", *PRODUCTION_BUILD_EXCLUDES]
        with self.step("building with DuckDB (dbt build)"):
            self.dbt(build, None)
        with self.step(f"exporting raw to Parquet ({self.raw_parquet})"):
            from flowmart.raw_export import export_raw

            export_raw(self.db, self.raw_parquet)
        with self.step("declaring the raw Parquet folders as Spark tables (starts Spark)"):
            self.start_spark()
        with self.step("building on Spark (dbt build --target spark)"):
            self.dbt(build, "spark")
        with self.step(f"running {', '.join(INCREMENTAL_MODELS)} again on Spark, incrementally (insert_overwrite)"):
            self.dbt(["run", "--select", *INCREMENTAL_MODELS], "spark")
        with self.step("comparing every mart"):
            results = self.compare()
        with self.step("publishing the Spark marts (flowmart publish, from their rows in a DuckDB file)"):
            self.publish_spark_marts()
        return results

    def spark(self):
        from pyspark.sql import SparkSession

        # the session dbt-spark's `session` method started in this process
        return SparkSession.builder.getOrCreate()

    def compare(self) -> list[MartResult]:
        spark = self.spark()
        keys = primary_keys(settings.PROJECT_DIR)
        results: list[MartResult] = []
        with duckdb.connect() as con:
            con.execute("set TimeZone = 'UTC'")
            con.execute(f"attach '{self.db}' as work (read_only)")
            duck_marts = {
                row[0]
                for row in con.execute(
                    "select table_name from duckdb_tables() where database_name = 'work' and schema_name = ? "
                    "union all select view_name from duckdb_views() where database_name = 'work' and schema_name = ?",
                    [MART_SCHEMA, MART_SCHEMA],
                ).fetchall()
            }
            # dbt-spark's incremental runs leave session temp views (<model>__dbt_tmp), listed in every schema
            spark_marts = {table.name for table in spark.catalog.listTables(MART_SCHEMA) if not table.isTemporary}
            for name in [*sorted(duck_marts | spark_marts), *INCREMENTAL_MODELS]:
                schema = INCREMENTAL_MODELS.get(name, MART_SCHEMA)
                if schema == MART_SCHEMA and (name not in spark_marts or name not in duck_marts):
                    result = MartResult(name)
                    result.problems.append("not built on Spark" if name not in spark_marts else "only on Spark")
                else:
                    arrow = spark.sql(f"select * from {schema}.`{name}`").toArrow()
                    if schema == MART_SCHEMA:
                        self.spark_marts[name] = arrow
                    con.register(f"spark_{name}", arrow)
                    result = compare_mart(
                        con, name, f"work.{schema}.{_ident(name)}", f"spark_{name}", keys.get(name, [])
                    )
                results.append(result)
                self.say(result.line())
        return results

    def publish_spark_marts(self) -> None:
        """What publishing does with marts built on Spark: their rows go into a DuckDB file's marts schema
        (timestamps as UTC without a zone, as DuckDB's marts have them) and `publish` makes a version of it
        (DuckDB file, Parquet, serving file) as it does of the work file (docs/scaling.md)."""
        from flowmart.publishing import publish

        marts_db = self.workdir / "spark-marts.duckdb"
        with duckdb.connect(str(marts_db)) as con:
            con.execute("set TimeZone = 'UTC'")
            con.execute(f"create schema {MART_SCHEMA}")
            for name, arrow in self.spark_marts.items():
                con.register("spark_rows", arrow)
                select, _types = _normalised(con, "spark_rows")
                con.execute(f"create table {MART_SCHEMA}.{_ident(name)} as {select}")
                con.unregister("spark_rows")
        result = publish(marts_db, self.workdir / "published")
        self.say(f"published {len(result.tables)} Spark marts as version {result.version_id} in {result.published_dir}")


class _Timer:
    def __init__(self, timings: dict[str, float], name: str) -> None:
        self.timings, self.name = timings, name

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.timings[self.name] = time.perf_counter() - self.started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flowmart.spark_check",
        description=__doc__.splitlines()[0],
        epilog="Exit status: 0 every mart identical, 1 a mart differs, 2 a step could not run.",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=settings.PROJECT_DIR / "target" / "spark-check",
        help="where the DuckDB warehouse, the raw Parquet and Spark's tables and metastore go; replaced on "
        "each run (default: target/spark-check)",
    )
    parser.add_argument("--as-of", default=AS_OF, help=f"both builds as of this UTC moment (default: {AS_OF})")
    parser.add_argument("--threads", type=int, help="dbt threads, also Spark's local cores (default: 2)")
    parser.add_argument(
        "--compare-only", action="store_true", help="compare again the marts a previous run left in --workdir"
    )
    args = parser.parse_args(argv)

    try:
        import pyspark  # noqa: F401
    except ImportError:
        print(
            'spark-check: pyspark is not installed: pip install -c constraints.txt -e ".[spark]" (make spark-check does)',
            file=sys.stderr,
        )
        return 2
    if shutil.which("java") is None and not _java_home():
        print(
            "spark-check: no Java on this machine (Spark needs Java 17: apt-get install openjdk-17-jre-headless)",
            file=sys.stderr,
        )
        return 2

    check = Check(args.workdir.resolve(), args.as_of, args.threads)
    try:
        results = check.compare_again() if args.compare_only else check.run()
    except CheckFailed as exc:
        print(f"spark-check: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # one line for the user (a Spark or DuckDB error's first line), not a traceback
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"spark-check: {check.current_step} failed: {type(exc).__name__}: {first}", file=sys.stderr)
        return 2
    timings = ", ".join(f"{name.split(' (')[0]} {seconds:.1f} s" for name, seconds in check.timings.items())
    print(f"spark-check: timings: {timings}")
    different = [r for r in results if r.problems]
    if different:
        print(
            f"spark-check: {len(different)} of {len(results)} relations differ between DuckDB and Spark",
            file=sys.stderr,
        )
        return 1
    print(
        f"spark-check: all {len(results)} relations identical on DuckDB and Spark ({len(results) - len(INCREMENTAL_MODELS)} marts and {', '.join(INCREMENTAL_MODELS)})"
    )
    return 0


def _java_home() -> bool:
    import os

    home = os.environ.get("JAVA_HOME")
    return bool(home) and (Path(home) / "bin" / "java").exists()


if __name__ == "__main__":
    sys.exit(main())
