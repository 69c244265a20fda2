"""Dependencies point one way, checked by a machine (issue 10, item 1).

``access_requests`` > ``specimens`` > ``consent`` > ``catalog`` > ``biobank``: an app imports only the apps below it.
The core learns about the domain apps through the hooks they call from ``AppConfig.ready()``; only the composition
root (the root URLconf, the API URLconf, the settings) names them, and only by string.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGES = ("biobank", "catalog", "consent", "specimens", "access_requests")
DOMAIN_APPS = ("catalog", "consent", "specimens", "access_requests")
COMPOSITION_ROOT = {"biobank/urls.py", "biobank/api/urls.py"}  # and biobank/settings/


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache", "--no-logo"],
        cwd=cwd,
        env={"PATH": str(BIN), "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layers_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_the_contract_breaks_on_an_import_from_the_core_up_into_a_domain_app(tmp_path):
    """The same check on a copy of the code with one upward import added, as a contributor might write it."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.html"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    panels = tmp_path / "biobank" / "web" / "panels.py"
    panels.write_text(panels.read_text() + "\nfrom catalog.selectors import collections_visible_to  # noqa\n")

    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "Contracts: 0 kept, 1 broken." in result.stdout
    assert "biobank.web.panels -> catalog.selectors" in result.stdout


def test_make_lint_runs_the_import_linter():
    lint = re.search(r"^lint:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert lint is not None
    assert "$(BIN)/lint-imports" in lint.group(1).split()


def _core_files() -> list[Path]:
    files = [
        path
        for path in (ROOT / "biobank").rglob("*.py")
        if "migrations" not in path.parts
        and "settings" not in path.relative_to(ROOT / "biobank").parts
        and str(path.relative_to(ROOT)) not in COMPOSITION_ROOT
    ]
    core_templates = ("base.html", "400.html", "403.html", "404.html", "500.html")
    files += [ROOT / "templates" / name for name in core_templates]
    for folder in ("web", "audit", "accounts", "includes", "registration", "emails"):
        files += sorted((ROOT / "templates" / folder).rglob("*.html"))
    return files


def test_outside_the_composition_root_the_core_wires_in_no_domain_app_by_name():
    """No ``include("catalog.urls")``, no ``reverse("catalog:…")``/``{% url 'consent:…' %}`` in the core: a domain
    app's pages reach the core's navigation and dashboard through the hooks it registers."""
    apps = "|".join(DOMAIN_APPS)
    by_name = re.compile(rf"""include\(\s*["'](?:{apps})\b|["'](?:\w+:)?(?:{apps}):\w""")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _core_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if by_name.search(line)
    ]
    assert found == []
