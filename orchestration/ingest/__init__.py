"""Landing tracker exports in DuckDB's raw schema."""

from orchestration.ingest.landing import FileResult, RefusedFile, expand_paths, land, land_files

__all__ = ["FileResult", "RefusedFile", "expand_paths", "land", "land_files"]
