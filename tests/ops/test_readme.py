"""The README is the operator's manual: it must list every setting the code reads and the real demo logins."""

from __future__ import annotations

import re
from pathlib import Path

from biobank.accounts.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
ENV_READ = re.compile(r"""env\.(?:str|bool|int|list|url|db|email|is_set)\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def variables_read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "biobank" / "settings").glob("*.py"):
        names |= set(ENV_READ.findall(path.read_text()))
    return names


def test_the_settings_read_variables_at_all():
    assert {"DATABASE_URL", "SECRET_KEY", "CELERY_BROKER_URL"} <= variables_read_by_settings()


def test_every_variable_the_settings_read_is_in_the_configuration_table():
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", README, re.M))
    missing = variables_read_by_settings() - documented
    assert not missing, f"add to README.md, Configuration: {', '.join(sorted(missing))}"


def test_the_quick_start_is_the_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quick_start, re.S).group(1)
    assert block.split("\n")[:2] == ["make run", "make test"]


def test_the_demo_logins_are_the_ones_seed_demo_creates():
    documented = set(re.findall(r"^\| (\S+@example\.org) \|", README, re.M))
    assert documented == {person.email for person in DEMO_USERS}
    assert f"`{DEMO_PASSWORD}`" in README


# --- axe: the screenshot tour (issue 16, build 6) ---


def test_the_readme_shows_every_screenshot_of_the_tour_and_each_exists():
    from tests.e2e.tour import STEPS, file_name

    shown = re.findall(r"!\[[^\]]*\]\((docs/screenshots/[^)]+\.png)\)", README)
    expected = [f"docs/screenshots/{file_name(number, step)}" for number, step in enumerate(STEPS, start=1)]

    assert shown == expected, "README.md, 'Screenshot tour': one image per step of tests/e2e/tour.py, in its order"
    missing = [path for path in shown if not (ROOT / path).is_file()]
    assert not missing, f"run `make screenshots` and commit: {missing}"
    assert sorted(p.name for p in (ROOT / "docs" / "screenshots").glob("*.png")) == sorted(Path(p).name for p in shown)
    heavy = [path for path in shown if (ROOT / path).stat().st_size > 200_000]
    assert not heavy, f"screenshots over 200 KB: {heavy}"
