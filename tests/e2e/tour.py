"""The screenshot tour (issue 16, build 6): each role's main flow on the demo data, saved as PNGs for the README.

Run by ``make screenshots``, which seeds a fresh demo database the way ``make run`` does; by hand:

    python -m tests.e2e.tour --base-url http://127.0.0.1:8000 --out docs/screenshots

against a running server of the demo data (``make run``). The tour reads the database of the same settings to sign
each person in (a session, as tests/e2e/walk.py makes it) and writes ``<nn>-<role>-<step>.png`` at 1280 x 900, one
screen each, reduced to a 256-colour palette so each file stays small. ``--start-server PORT`` starts
``manage.py runserver`` itself and stops it at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1280, "height": 900}
B = "ukrm-biobank"


@dataclass(frozen=True)
class Step:
    role: str  # a key of tests/e2e/walk.py ROLES
    name: str
    caption: str
    act: Callable[[Any], None]


def goto(path: str) -> Callable[[Any], None]:
    return lambda page: page.goto(path)


def _catalogue_search(page: Any) -> None:
    page.goto("/catalogue/search/")
    page.get_by_label("Text").fill("cancer")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_load_state()


def _first_link(list_path: str, pattern: str) -> Callable[[Any], None]:
    """Open the list and follow its first link to a detail page (``pattern``: a regular expression of the href)."""

    def act(page: Any) -> None:
        import re

        page.goto(list_path)
        hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(link => link.getAttribute('href'))")
        page.goto(next(href for href in hrefs if re.search(pattern, href)))

    return act


def _capture_sign(page: Any) -> None:
    from tests.e2e.walk import demo_paths

    page.goto(demo_paths()["capture_sign"])


def _box(page: Any) -> None:
    from tests.e2e.walk import demo_paths

    page.goto(demo_paths()["box"])


STEPS = [
    Step("anonymous", "catalogue-search", "searches the public catalogue", _catalogue_search),
    Step("anonymous", "collection", "opens a collection: counts, facts and the cart",
         _first_link("/catalogue/search/", r"^/catalogue/collections/\d+/$")),
    Step("admin", "dashboard", "the dashboard of two biobanks", goto("/")),
    Step("admin", "members", "people and their roles", goto(f"/biobanks/{B}/members/")),
    Step("technician", "specimens", "the specimen list with filters and export", goto(f"/specimens/{B}/")),
    Step("technician", "specimen", "a specimen: SPREC, timeline, lineage and actions",
         _first_link(f"/specimens/{B}/", rf"^/specimens/{B}/s/.+/$")),
    Step("technician", "box-map", "a box map of the freezer", _box),
    Step("consent-officer", "donors", "the donors of the biobank", goto(f"/consent/{B}/donors/")),
    Step("consent-officer", "capture", "recording an electronic consent with a drawn signature", _capture_sign),
    Step("consent-officer", "donor", "a donor: consents, withdrawals and their effects",
         _first_link(f"/consent/{B}/donors/", rf"^/consent/{B}/donors/(?!new/)[^/]+/$")),
    Step("steward", "identity-lookup", "re-identification, always with a reason",
         goto(f"/consent/{B}/identity/lookup/")),
    Step("steward", "duplicate", "a possible duplicate waiting for review",
         _first_link(f"/consent/{B}/duplicates/", rf"^/consent/{B}/duplicates/\d+/$")),
    Step("data-manager", "collections", "the biobank's collections", goto("/collections/")),
    Step("data-manager", "catalogue-manage", "publishing to the catalogue", goto(f"/catalogue/manage/{B}/")),
    Step("auditor", "audit-trail", "the hash-chained audit trail", goto("/audit/")),
    Step("researcher", "requests", "my access requests and what each waits for", goto("/requests/")),
    Step("researcher", "request", "an access request, biobank by biobank",
         _first_link("/requests/", r"^/requests/\d+/$")),
    Step("dac-chair", "review-queue", "my reviews with due dates", goto("/requests/review/")),
    Step("dac-chair", "review", "the review screen: DUO match, votes, decision",
         _first_link("/requests/review/", r"^/requests/review/\d+/$")),
    Step("dac-member", "review-queue", "a committee member's reviews", goto("/requests/review/")),
    Step("donor", "portal", "the donor portal: my consents and choices", goto("/my/")),
    Step("donor", "choices", "changing one answer", _first_link("/my/", r"^/my/choices/[\w-]+/$")),
]  # fmt: skip


def file_name(number: int, step: Step) -> str:
    return f"{number:02d}-{step.role}-{step.name}.png"


def optimise(path: Path) -> None:
    """A 256-colour palette: screens of text and flat colour lose nothing visible, the file a good deal."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def run_tour(base_url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from tests.e2e import walk

    roles = {role.key: role for role in walk.ROLES}
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                             args=["--no-sandbox", "--disable-gpu", "--hide-scrollbars"])  # fmt: skip
        contexts: dict[str, Any] = {}
        for number, step in enumerate(STEPS, start=1):
            if step.role not in contexts:
                contexts[step.role] = walk.signed_in_context(browser, base_url, roles[step.role], VIEWPORT)
            page = contexts[step.role].new_page()
            step.act(page)
            page.wait_for_load_state("networkidle")
            path = out / file_name(number, step)
            page.screenshot(path=str(path), animations="disabled", caret="hide")
            optimise(path)
            written.append(path)
            print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}  {path.stat().st_size // 1024} KB")
            page.close()
        browser.close()
    return written


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, server: subprocess.Popen | None, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server for the tour stopped (exit {server.returncode}); is the port taken?")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--start-server", type=int, metavar="PORT", help="start runserver on PORT (0: a free one)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "biobank.settings.dev")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM beside Playwright's loop (sessions)
    import django

    django.setup()
    server = None
    base_url = args.base_url
    if args.start_server is not None:
        port = args.start_server or _free_port()
        base_url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL)
    try:
        _wait_for(base_url, server)
        for stale in args.out.glob("[0-9][0-9]-*.png"):
            stale.unlink()
        run_tour(base_url, args.out)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
