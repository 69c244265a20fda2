"""The benchmark suite still works (issue 15, item 6): ``python -m benchmarks --scale small`` in a subprocess.

A smoke test, not a measurement: the small network is generated (or taken from the cached template database) on the
test server, every registered benchmark runs on a copy of it, and the test checks that each one produced rows, that
every time, throughput and baseline is a positive number, and that the table and the JSON report are written. No
figure is compared with its target (timings on a shared CI machine are noise); the timeout is generous for the same
reason.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from benchmarks import REGISTRY
from benchmarks.runner import COLUMNS, discover
from tests.settings.startup import database_server_url

ROOT = Path(__file__).resolve().parents[2]


def test_the_small_scale_run_measures_every_benchmark(tmp_path):
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL"}
        },
        # the server only: the runner makes and drops its own databases (the named one is never written)
        "DATABASE_URL": os.environ.get("DATABASE_URL") or database_server_url("postgres"),
        "DJANGO_SETTINGS_MODULE": "biobank.settings.dev",
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--scale", "small", "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    reports = list(tmp_path.glob("*-small.json"))
    assert len(reports) == 1, reports
    report = json.loads(reports[0].read_text())
    discover()
    assert {row["benchmark"] for row in report["results"]} == set(REGISTRY), "a benchmark gave no row"
    assert report["failures"] == []
    for row in report["results"]:
        assert row["operation"] and row["size"], row
        for key in ("seconds", "throughput", "baseline_seconds"):
            value = row[key]
            assert value is None or (math.isfinite(value) and value > 0), (key, row)
        assert row["seconds"] is not None, row
        if row["baseline"]:
            assert row["baseline_seconds"] and row["ratio"] > 0, row
        if row["target"]:
            assert row["met"] in (True, False), row
    assert all(column in done.stdout for column in COLUMNS)
    assert report["table"] in done.stdout
