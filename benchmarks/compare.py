"""``python -m benchmarks.compare A.json B.json …``: reports of ``python -m benchmarks`` side by side, as Markdown.

One row per operation (matched by benchmark and operation name), one column group per report: the time (with the
throughput where there is one), the ratio to the same-run baseline and met / NOT met; with exactly two reports, a
last column says how the time grew from the first to the second (``10.1 x`` for ten times the size is linear).
docs/performance.md's tables are printed by this from the JSON files the runs wrote.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any


def _time(seconds: float | None) -> str:
    if seconds is None or math.isnan(seconds):
        return ""
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def _cell(entry: dict[str, Any] | None) -> list[str]:
    if entry is None:
        return ["", "", ""]
    figure = _time(entry["seconds"])
    if entry.get("throughput") is not None:
        figure += f" ({entry['throughput']:,.0f} {entry['unit']})"
    if entry.get("queries") is not None:
        figure += f", {entry['queries']} q"
    ratio = f"{entry['ratio']:,.2f} x" if entry.get("ratio") is not None else ""
    met = {None: "", True: "met", False: "**NOT met**"}[entry.get("met")]
    return [figure, ratio, met]


# Operations renamed since a report was written: the old name → the current one, so that both land on one row.
RENAMED = {"audit drain (hash chain, batches of 5,000)": "audit drain (hash chain, batches of 20,000)"}


def markdown(reports: list[dict[str, Any]]) -> str:
    """The reports' results as one Markdown table (rows in the first report's order, then any others)."""
    keys: list[tuple[str, str]] = []
    by_report: list[dict[tuple[str, str], dict[str, Any]]] = []
    for report in reports:
        index = {}
        for entry in report["results"]:
            key = (entry["benchmark"], RENAMED.get(entry["operation"], entry["operation"]))
            index[key] = entry
            if key not in keys:
                keys.append(key)
        by_report.append(index)
    header = ["operation", "target"]
    names = [f"{report['scale']} ({report['commit']})" for report in reports]
    for name in names:
        header += [f"{name}: time", f"{name}: ratio to baseline", f"{name}: target"]
    growth = len(reports) == 2
    if growth:
        header.append(f"time {names[1]} / {names[0]}")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key in keys:
        entries = [index.get(key) for index in by_report]
        target = next((entry["target"] for entry in entries if entry and entry.get("target")), "")
        row = [key[1], target]
        for entry in entries:
            row += _cell(entry)
        if growth:
            first, second = entries
            grew = (
                f"{second['seconds'] / first['seconds']:,.1f} x"
                if first and second and first["seconds"] and "requests in" not in first["size"]
                else ""
            )
            row.append(grew)
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__.split("\n")[0])
    parser.add_argument("reports", nargs="+", type=Path, help="JSON reports written by python -m benchmarks")
    args = parser.parse_args(argv)
    reports = [json.loads(path.read_text()) for path in args.reports]
    for path, report in zip(args.reports, reports, strict=True):
        load = " ".join(f"{x:.1f}" for x in report["load_average"])
        print(f"- {path.name}: `{report['command']}`, commit {report['commit']}, {report['started']}, "
              f"{report['machine']}, load {load}")  # fmt: skip
    print()
    print(markdown(reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
