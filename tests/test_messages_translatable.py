"""Issue 10 item 7: every error message a service raises is a whole translatable sentence with named placeholders.

The rule is checked on the source (ast), so a new ``raise DomainError(f"...")`` or ``ValidationError("...")`` fails
here: the message must be ``_("... %(name)s ...") % {...}`` (``gettext``/``gettext_lazy``), never an f-string, a
plain literal or fragments joined together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The modules under the rule (see CONTRIBUTING.md): since issue 16, every module of every app (what a person can
# read: services, views, forms, the API) except management commands, migrations and the integrity errors of the vault,
# the key ring and the audit checkpoints (operator-facing, in the log).
APPS = ("access_requests", "biobank", "catalog", "consent", "specimens")
INTERNAL = {
    "biobank/crypto/keys.py",
    "biobank/audit/checkpoints.py",
    "consent/vault_crypto.py",
    "consent/documents.py",
    "consent/models/identity.py",
}
SCOPES = [
    "biobank/accounts/services.py",
    "biobank/accounts/mfa.py",
    "biobank/accounts/signin.py",
    "biobank/accounts/api_tokens.py",
    "biobank/audit/services.py",
    "biobank/pseudonyms/services.py",
    "biobank/api/fields.py",
    "catalog/services",
    "catalog/schema.py",
    "catalog/vocabularies.py",
    "catalog/identifiers.py",
    "consent/services",
    "specimens/labels",
]


# Programming errors (a caller broke an invariant) are for developers, in the log, not for people: left in English.
PROGRAMMER_ERRORS = {"ValueError", "TypeError", "RuntimeError", "AssertionError", "ImproperlyConfigured"}

GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "npgettext"}


def _modules() -> list[Path]:
    paths: list[Path] = []
    for scope in SCOPES:
        path = ROOT / scope
        paths.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    # Any services module added later falls under the rule too.
    for pattern in ("biobank/**/services*.py", "*/services.py", "*/services/**/*.py"):
        paths.extend(p for p in ROOT.glob(pattern) if ".venv" not in p.parts and p not in paths)
    for app in APPS:
        for p in (ROOT / app).rglob("*.py"):
            relative = p.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "/management/" in relative or relative in INTERNAL:
                continue
            paths.append(p)
    return sorted(set(paths))


def _is_gettext_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT_NAMES


def _translated(node: ast.AST) -> bool:
    """``_("...")`` or ``_("... %(x)s ...") % {...}``; a plain name (a message built earlier) passes too."""
    if _is_gettext_call(node):
        return all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args[:1])  # type: ignore[attr-defined]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_gettext_call(node.left) and isinstance(node.right, ast.Dict)
    if isinstance(node, ast.Starred | ast.Call):
        return True  # str(error), getattr(error, "message"), *exc.args: a message passed on, translated where it arose
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        literal = (ast.Constant, ast.JoinedStr)
        return not any(isinstance(side, literal) or _is_gettext_call(side) for side in (node.left, node.right))
    return isinstance(node, ast.Name | ast.Attribute | ast.Subscript)


def _error_name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def offences(source: str) -> list[tuple[int, str]]:
    """(line, error class) for every error raised or built with a message that is not a gettext sentence."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _error_name(node.func)
        if name in PROGRAMMER_ERRORS or not (name.endswith("Error") or name in {"PermissionDenied", "Http404"}):
            continue
        message = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "message"), None)
        if message is None or isinstance(message, ast.Dict | ast.List):
            continue
        if not _translated(message):
            found.append((node.lineno, name))
    return found


def test_the_checker_catches_untranslated_messages() -> None:
    bad = 'raise DomainError(f"Template {code} is not active.")\nraise ValidationError("No.")\n'
    bad += 'raise ForbiddenError(_("You may not ") + verb)\nraise ConflictError(_(f"Taken: {x}"))\n'
    assert [line for line, _ in offences(bad)] == [1, 2, 3, 4]
    good = 'raise DomainError(_("Template %(code)s is not active.") % {"code": code}, field="code")\n'
    good += 'raise ConflictError(_("Taken."))\nraise DomainError(message)\nraise ValueError(f"bad {x!r}")\n'
    assert offences(good) == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_service_error_messages_are_translatable_sentences(path: Path) -> None:
    found = offences(path.read_text())
    assert not found, f"{path.relative_to(ROOT)}: untranslated error messages at lines " + ", ".join(
        f"{line} ({name})" for line, name in found
    )
