"""Tests mirror the code (issue 10, item 8): a test module sits where the module it tests sits.

The rule (CONTRIBUTING.md): the tests of ``<package>/<module>.py`` are in ``tests/<package>/test_<module>.py``,
``biobank/`` dropped from the front (``biobank/accounts/services.py`` -> ``tests/accounts/test_services.py``,
``consent/services/consents/capture.py`` -> ``tests/consent/services/consents/test_capture.py``). A test module may
add a topic after the module's name (``test_services_deactivation.py``), and may be named after a subpackage of its
directory (``tests/consent/test_models_rules.py``: rules of every model). Tests that are about the whole portal
rather than one module are listed below, each with why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"

CROSS_CUTTING_FOLDERS = {
    "e2e": "browser tests: each drives the whole portal through Chromium",
}
CROSS_CUTTING = {
    "test_layers.py": "the import rules between every app and layer",
    "test_module_size.py": "every module under 500 lines",
    "test_messages_translatable.py": "every service error of every app a translatable sentence",
    "test_tree_mirrors_code.py": "this rule, over every test module",
    "test_translations.py": "the German catalogue: compiled, in sync and complete for the donor's pages",
    "api/test_authentication.py": "who may call any endpoint: tokens, sessions with CSRF",
    "api/test_forbidden_error.py": "one ForbiddenError, in the API and the browser, raised by every app",
    "api/test_openapi_matrix.py": "every operation of the schema against every persona",
    "api/test_permission_matrix.py": "every endpoint against every persona",
    "api/test_problems.py": "every API error as problem+json, across the apps",
    "api/test_query_counts.py": "every list endpoint's query count",
    "api/test_schemathesis.py": "the whole API fuzzed from its schema",
    "api/test_shapes.py": "one shape per concept across the apps' serializers",
    "audit/test_coverage.py": "every service of accounts and the catalogue leaves its event",
    "audit/test_faults.py": "faults injected into every write path",
    "audit/test_write_paths_audited.py": "every write path of every app audited",
    "ops/test_compose.py": "docker-compose.yml and the deployment files",
    "ops/test_readme.py": "the README's commands",
    "ops/test_security_doc.py": "docs/security.md against the code",
    "web/test_csp.py": "every page of every app under the Content Security Policy",
    "web/test_layout.py": "the page shell every page shares",
    "web/test_navigation.py": "the navigation of every app, per role",
    "web/test_no_external_urls.py": "no page of any app names an external URL",
    "web/test_url_matrix.py": "every URL against every persona",
}


def source_package(folder: Path) -> Path | None:
    """The package a test folder mirrors: ``tests/<path>`` -> ``<path>`` or ``biobank/<path>``."""
    relative = folder.relative_to(TESTS)
    for base in (REPO, REPO / "biobank"):
        package = base / relative
        if (package / "__init__.py").is_file():
            return package
    return None


def names_in(package: Path) -> set[str]:
    modules = {path.stem for path in package.glob("*.py") if path.stem != "__init__"}
    return modules | {path.name for path in package.iterdir() if (path / "__init__.py").is_file()}


def collected_modules() -> list[Path]:
    return sorted(
        path
        for path in TESTS.rglob("test_*.py")
        if path.relative_to(TESTS).parts[0] not in CROSS_CUTTING_FOLDERS
        and path.relative_to(TESTS).as_posix() not in CROSS_CUTTING
    )


def misplaced(path: Path) -> str | None:
    package = source_package(path.parent)
    relative = path.relative_to(TESTS).as_posix()
    if package is None:
        return f"{relative}: no source package {path.parent.relative_to(TESTS).as_posix()}/ (nor under biobank/)"
    topic = path.stem.removeprefix("test_")
    names = names_in(package)
    if not any(topic == name or topic.startswith(f"{name}_") for name in names):
        return f"{relative}: no module or package in {package.relative_to(REPO).as_posix()}/ that test_{topic} names"
    return None


def test_every_test_module_sits_beside_the_path_of_the_module_it_tests():
    problems = [problem for path in collected_modules() if (problem := misplaced(path))]

    assert not problems, "Test modules whose source module does not exist (CONTRIBUTING.md, Tests):\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("listed", [*CROSS_CUTTING, *CROSS_CUTTING_FOLDERS])
def test_every_cross_cutting_exception_still_exists(listed):
    assert (TESTS / listed).exists(), f"tests/{listed} is gone: take it off the cross-cutting list"


def test_the_rule_catches_a_test_module_without_a_source_module():
    assert misplaced(TESTS / "consent" / "test_nothing_here.py")
    assert misplaced(TESTS / "nowhere" / "test_services.py")
    assert misplaced(TESTS / "consent" / "services" / "test_capture.py")  # capture.py is in services/consents/
    assert not misplaced(TESTS / "consent" / "services" / "consents" / "test_capture.py")
    assert not misplaced(TESTS / "accounts" / "test_services_deactivation.py")
