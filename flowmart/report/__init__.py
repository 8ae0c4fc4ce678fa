"""The semiannual value-stream review report.

Modules: periods (half-years), data (reading the marts), review (the numbers, pure), forecast (Monte
Carlo), charts (Matplotlib -> PNG), render (HTML, PDF), snapshots (marts.review_snapshots), build (the
steps: as-of work copy -> numbers -> snapshots -> documents). `flowmart report` is flowmart/cli/report.py.
"""
