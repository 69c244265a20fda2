"""No source module grows past 500 lines (issue 10, item 5): one that outgrows one job becomes a package."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("biobank", "catalog", "consent", "specimens", "access_requests")
MAX_LINES = 500


def source_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_source_module_exceeds_500_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines for path in source_modules() if (lines := line_count(path)) > MAX_LINES
    }
    assert not too_long, f"split these modules into packages (at most {MAX_LINES} lines each): {too_long}"


def test_the_walk_sees_the_packages_and_skips_migrations():
    names = {str(path.relative_to(ROOT)) for path in source_modules()}
    assert "consent/services/consents/capture.py" in names
    assert "biobank/audit/services.py" in names
    assert not any("/migrations/" in name for name in names)
