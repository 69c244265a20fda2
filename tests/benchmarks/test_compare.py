"""benchmarks.compare: two runs' reports side by side, matched by operation, with the growth of each time."""

from __future__ import annotations

import json

from benchmarks.compare import main, markdown


def report(scale: str, seconds: float, met: bool, extra: bool = False) -> dict:
    results = [
        {"benchmark": "import", "operation": "import: commit", "size": "n rows", "seconds": seconds,
         "throughput": 1000 / seconds, "unit": "rows/s", "ratio": 1.5, "target": ">= 50,000 rows/s", "met": met,
         "queries": None},
    ]  # fmt: skip
    if extra:
        results.append({"benchmark": "sprec", "operation": "SPREC", "size": "1", "seconds": 0.5, "throughput": None,
                        "unit": "", "ratio": None, "target": "", "met": None, "queries": 3})  # fmt: skip
    command = f"python -m benchmarks --scale {scale}"
    return {"scale": scale, "results": results, "load_average": [0.5, 0.4, 0.3], "command": command,
            "commit": "abc1234", "started": "2026-12-07T06:00:00+00:00", "machine": "2 cores"}  # fmt: skip


def test_rows_are_matched_by_operation_and_the_growth_is_the_time_ratio():
    table = markdown([report("100k", 2.0, True), report("1m", 21.0, False, extra=True)])
    lines = table.splitlines()

    assert lines[0].startswith("| operation | target | 100k (abc1234): time")
    assert lines[0].endswith("| time 1m (abc1234) / 100k (abc1234) |")
    assert "| import: commit | >= 50,000 rows/s | 2.00 s (500 rows/s) | 1.50 x | met | 21.00 s (48 rows/s)" in table
    assert lines[2].endswith("| **NOT met** | 10.5 x |")
    assert lines[3].startswith("| SPREC |  |  |  |  | 500.0 ms, 3 q |")  # only in the second run


def test_the_command_prints_each_report_s_provenance_and_the_table(tmp_path, capsys):
    paths = []
    for scale in ("100k", "1m"):
        path = tmp_path / f"{scale}.json"
        path.write_text(json.dumps(report(scale, 1.0, True)))
        paths.append(str(path))

    assert main(paths) == 0

    out = capsys.readouterr().out
    assert "`python -m benchmarks --scale 1m`, commit abc1234" in out and "load 0.5 0.4 0.3" in out
    assert "| import: commit |" in out


def test_an_operation_renamed_since_an_older_report_lands_on_one_row():
    old, new = report("100k", 4.0, False), report("100k", 2.0, False)
    old["results"][0]["operation"] = "audit drain (hash chain, batches of 5,000)"
    new["results"][0]["operation"] = "audit drain (hash chain, batches of 20,000)"

    lines = markdown([old, new]).splitlines()

    assert len(lines) == 3  # header, rule, one row
    assert lines[2].startswith("| audit drain (hash chain, batches of 20,000) |")
    assert lines[2].endswith("| 0.5 x |")
