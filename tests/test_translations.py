"""The German catalogue (issues 13 and 16): compiled, in sync with every source, and complete.

``locale/de/LC_MESSAGES/django.po`` is what people edit; ``django.mo`` next to it is what Django reads. A fresh
machine has only Python (no GNU gettext), so the compiled file is committed and must say exactly what the .po says.
Every text a donor reads (the portal, their e-mails, the sign-in by link, two-step sign-in, the page shell and error
pages) is translated, never fuzzy, with the same placeholders as the English. Since issue 16 every other text is
too (staff, researchers, committees, API errors). ``make messages`` regenerates both files.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "de" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
MO = CATALOGUE / "django.mo"
REGENERATE = "run `make messages` (makemessages + msgfmt) and commit locale/de/LC_MESSAGES/django.po and django.mo"

# The sources a donor reads (a folder ends with "/"; a prefix like "templates/accounts/mfa_" covers its files).
DONOR_SOURCES = (
    "templates/consent/portal/",
    "consent/portal/",
    "templates/emails/donor/",
    "consent/services/portal/",
    "consent/selectors/portal.py",
    "consent/api/portal",
    "templates/accounts/donor_link",
    "templates/accounts/mfa_",
    "templates/accounts/_mfa_status.html",
    "templates/accounts/profile.html",
    "biobank/accounts/views/donor.py",
    "templates/emails/donor_login_",
    "templates/base.html",
    "templates/includes/",
    "templates/400.html",
    "templates/403.html",
    "templates/404.html",
    "templates/500.html",
    "consent/choices.py",
    "consent/services/acts.py",
    "consent/services/consents/capture.py",
    "consent/services/consents/signing.py",
)

GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "gettext_noop"}
TRANSLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')(.*?)%\}""")
PRINTF = re.compile(r"%\([^)]+\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACES = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    @property
    def donor_facing(self) -> bool:
        return any(ref.startswith(DONOR_SOURCES) for ref in self.references)

    def __str__(self) -> str:
        return f"{self.msgid!r} ({', '.join(list(dict.fromkeys(self.references))[:3]) or 'no reference'})"


def parse_po(text: str) -> list[Entry]:
    """A small PO reader: comments ``#:`` (references, line numbers dropped) and ``#,`` (flags), ``msgctxt``,
    ``msgid``, ``msgid_plural``, ``msgstr`` / ``msgstr[n]`` and their continuation lines; obsolete ``#~`` skipped.
    The header (``msgid ""``) is returned like any entry."""
    entries: list[Entry] = []
    entry, key = Entry(), ""

    def finish() -> None:
        nonlocal entry, key
        if key:
            entries.append(entry)
        entry, key = Entry(), ""

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if key.startswith("msgstr") and (line.startswith(("#", "msgctxt", "msgid")) or not line):
            finish()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#:"):
            entry.references += [
                ref.rsplit(":", 1)[0] if ref.rsplit(":", 1)[-1].isdigit() else ref for ref in line[2:].split()
            ]
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, key, ast.literal_eval(line))
        else:
            key, _sep, value = line.partition(" ")
            if not key.startswith(("msgctxt", "msgid", "msgstr")):
                raise AssertionError(f"{PO.name}:{number}: cannot read {raw!r}")
            _start(entry, key)
            _append(entry, key, ast.literal_eval(value))
    finish()
    return entries


def _start(entry: Entry, key: str) -> None:
    if key == "msgctxt":
        entry.msgctxt = ""
    elif key == "msgid_plural":
        entry.msgid_plural = ""
    elif key.startswith("msgstr"):
        entry.msgstr[_index(key)] = ""


def _append(entry: Entry, key: str, value: str) -> None:
    if key == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + value
    elif key == "msgid":
        entry.msgid += value
    elif key == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + value
    elif key.startswith("msgstr"):
        entry.msgstr[_index(key)] += value


def _index(key: str) -> int:
    return int(key[key.index("[") + 1 : -1]) if "[" in key else 0


def placeholders(text: str) -> set[str]:
    text = text.replace("%%", "")
    return set(PRINTF.findall(text)) | set(BRACES.findall(text))


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO.is_file(), f"{PO.relative_to(ROOT)} is missing: {REGENERATE}"
    return [entry for entry in parse_po(PO.read_text(encoding="utf-8")) if entry.msgid]


@pytest.fixture(scope="module")
def header() -> Entry:
    return next(entry for entry in parse_po(PO.read_text(encoding="utf-8")) if not entry.msgid)


@pytest.fixture(scope="module")
def compiled() -> gettext.GNUTranslations:
    assert MO.is_file(), f"{MO.relative_to(ROOT)} is missing: {REGENERATE}"
    with MO.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def test_the_parser_reads_plurals_continuations_references_and_flags():
    text = (
        '#: a/b.py:1 templates/c.html:20\n#, python-format\nmsgid ""\n"Hello %(name)s, "\n"welcome"\nmsgstr "Hallo"\n\n'
        '#: d.py:3\nmsgid "one"\nmsgid_plural "many"\nmsgstr[0] "eins"\nmsgstr[1] ""\n"viele"\n\n'
        '#, fuzzy\nmsgctxt "month"\nmsgid "May"\nmsgstr "Mai"\n\n#~ msgid "old"\n#~ msgstr "alt"\n'
    )
    first, plural, fuzzy = parse_po(text)

    assert (first.msgid, first.msgstr, first.references, first.flags) == (
        "Hello %(name)s, welcome",
        {0: "Hallo"},
        ["a/b.py", "templates/c.html"],
        {"python-format"},
    )
    assert (plural.msgid_plural, plural.msgstr) == ("many", {0: "eins", 1: "viele"})
    assert (fuzzy.msgctxt, fuzzy.flags) == ("month", {"fuzzy"})


def test_the_catalogue_is_german_with_german_plurals(header, compiled):
    assert "fuzzy" not in header.flags, "the header is marked fuzzy: msgfmt would ignore it"
    info = compiled.info()
    assert info.get("language") == "de"
    assert info.get("plural-forms", "").replace(" ", "") == "nplurals=2;plural=(n!=1);"


def test_the_compiled_catalogue_says_what_the_po_says(entries, compiled):
    differing = []
    for entry in entries:
        if not entry.translated or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural is not None:
            got = {
                0: compiled.ngettext(entry.msgid, entry.msgid_plural, 1),
                1: compiled.ngettext(entry.msgid, entry.msgid_plural, 2),
            }
            want = {0: entry.msgstr[0], 1: entry.msgstr[1]}
        elif entry.msgctxt is not None:
            got, want = compiled.pgettext(entry.msgctxt, entry.msgid), entry.msgstr[0]
        else:
            got, want = compiled.gettext(entry.msgid), entry.msgstr[0]
        if got != want:
            differing.append(str(entry))
    assert not differing, (
        f"django.mo is older than django.po for {len(differing)} texts, e.g. {differing[:3]}: {REGENERATE}"
    )


def test_the_compiled_catalogue_has_nothing_the_po_lacks(entries, compiled):
    in_po = {
        (f"{e.msgctxt}\x04" if e.msgctxt is not None else "") + e.msgid
        for e in entries
        if e.translated and "fuzzy" not in e.flags
    }
    in_mo = {key[0] if isinstance(key, tuple) else key for key in compiled._catalog if key}
    extra = sorted(in_mo - in_po)
    assert not extra, f"django.mo translates {len(extra)} texts the .po no longer does, e.g. {extra[:3]}: {REGENERATE}"


def test_every_text_a_donor_reads_is_translated_and_not_fuzzy(entries):
    donor = [entry for entry in entries if entry.donor_facing]
    assert len(donor) > 300, "the donor's pages have hundreds of texts: are the references (#:) in the .po?"
    untranslated = [str(entry) for entry in donor if not entry.translated]
    fuzzy = [str(entry) for entry in donor if "fuzzy" in entry.flags]
    assert not untranslated, f"translate into German ({len(untranslated)}): {untranslated[:10]}"
    assert not fuzzy, f"check and unmark these fuzzy translations: {fuzzy[:10]}"


def test_every_text_of_the_portal_is_translated(entries):
    """Issue 16: the German catalogue is complete: staff, researcher, committee and API texts too, not only the
    donor's."""
    untranslated = [str(entry) for entry in entries if not entry.translated]
    assert not untranslated, f"translate into German ({len(untranslated)}): {untranslated[:10]}; {REGENERATE}"


def test_nothing_is_marked_fuzzy(entries):
    fuzzy = [str(entry) for entry in entries if "fuzzy" in entry.flags]
    assert not fuzzy, f"a fuzzy translation is a guess by msgmerge; check it and remove the flag: {fuzzy[:10]}"


def test_translations_keep_the_placeholders_of_the_english(entries):
    wrong = []
    for entry in entries:
        if not entry.translated:
            continue
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for index, text in entry.msgstr.items():
            # German's singular (n == 1) may leave out the count, as the English singular may ("Print label").
            if index == 0 and entry.msgid_plural is not None and placeholders(entry.msgid) <= placeholders(text):
                continue
            if placeholders(text) != expected:
                wrong.append(f"{entry} msgstr[{index}]: {sorted(placeholders(text))} instead of {sorted(expected)}")
    assert not wrong, "placeholders must stay exactly as in the English:\n" + "\n".join(wrong)


def _donor_files(suffix: str) -> list[Path]:
    files = []
    for prefix in DONOR_SOURCES:
        path = ROOT / prefix
        if prefix.endswith("/"):
            files += sorted(path.rglob(f"*{suffix}"))
        else:
            files += sorted(p for p in path.parent.glob(f"{path.name}*") if p.name.endswith(suffix))
    return files


def _python_messages(path: Path) -> set[str]:
    messages = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in GETTEXT_CALLS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            messages.add(node.args[0].value)
    return messages


def _template_messages(path: Path) -> set[str]:
    messages = set()
    for double, single, rest in TRANSLATE_TAG.findall(path.read_text(encoding="utf-8")):
        if "context" not in rest.split():
            messages.add(double or single)
    return messages


def _all_files(suffix: str) -> list[Path]:
    roots = [ROOT / app for app in ("access_requests", "biobank", "catalog", "consent", "specimens", "templates")]
    return sorted(p for root in roots for p in root.rglob(f"*{suffix}") if "migrations" not in p.parts)


def test_the_catalogue_is_in_sync_with_every_source():
    """A text added anywhere after the last `make messages` is not in the .po, so it would show in English."""
    in_po = {entry.msgid for entry in parse_po(PO.read_text(encoding="utf-8")) if entry.msgid}
    found = [(path, message) for path in _all_files(".py") for message in sorted(_python_messages(path))]
    # makemessages writes a template's "%" as "%%" (templates have no placeholders of that kind).
    found += [(path, m.replace("%", "%%")) for path in _all_files(".html") for m in sorted(_template_messages(path))]
    assert len(found) > 2000
    absent = [f"{path.relative_to(ROOT).as_posix()}: {message!r}" for path, message in found if message not in in_po]
    assert not absent, f"{len(absent)} texts are not in the .po: {absent[:10]}; {REGENERATE}"


def test_the_catalogue_is_in_sync_with_the_donors_sources(entries):
    """A text added to a donor's page after the last `make messages` is not in the .po, so not translated."""
    in_po = {entry.msgid for entry in entries}
    translated = {entry.msgid for entry in entries if entry.translated}
    sources = {path: _python_messages(path) for path in _donor_files(".py")}
    sources |= {path: _template_messages(path) for path in _donor_files(".html")}
    assert sum(map(len, sources.values())) > 200
    found = [
        (path.relative_to(ROOT).as_posix(), message)
        for path, messages in sources.items()
        for message in sorted(messages)
    ]
    absent = [f"{path}: {message!r}" for path, message in found if message not in in_po]
    empty = [f"{path}: {message!r}" for path, message in found if message in in_po and message not in translated]
    assert not absent, f"{len(absent)} texts of the donor's pages are not in the .po: {absent[:10]}; {REGENERATE}"
    assert not empty, f"translate into German ({len(empty)}): {empty[:10]}"
