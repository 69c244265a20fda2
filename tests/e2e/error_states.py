"""The main forms of each role after a submit with errors, and what their error state must do (issue 16, build 2).

Used by tests/e2e/test_accessibility.py. Each ``ErrorForm`` is opened, emptied or filled with clearly invalid
values and submitted; none is valid then, so nothing in the demo world changes. On the error state the page passes
the same checks as every page (axe-core, no sideways scrolling) and ``error_state_problems``:

* the error summary (templates/includes/form_errors.html) is there and is announced: it has ``role="alert"`` or
  holds the focus (static/js/portal.js moves it there);
* each link of the summary leads to a field marked ``aria-invalid="true"``, and each such field is linked from it;
* each invalid field's ``aria-describedby`` (or that of the fieldset of its group) names its error message, and
  every error message beside a field is named so by a field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.e2e.walk import B, Follow


@dataclass(frozen=True)
class ErrorForm:
    """A form of ``path`` (as in walk.EXTRA), sent by its button ``submit`` after ``fill`` (label -> value).

    ``clear`` empties every text field of the form first (an edit form showing saved values); ``fields`` is False
    when the only error is about the whole form (a wrong password), so no field is marked.
    """

    name: str
    path: str | Follow
    submit: str
    fill: dict[str, str] = field(default_factory=dict)
    clear: bool = False
    fields: bool = True


FORMS: dict[str, list[ErrorForm]] = {
    "anonymous": [
        ErrorForm(
            "sign-in, wrong password",
            "/accounts/login/",
            "Sign in",
            {"E-mail address": "nobody@example.org", "Password": "not-the-password"},
            fields=False,
        ),
        ErrorForm("sign-up, empty", "/accounts/signup/", "Create the account"),
        ErrorForm(
            "password reset, bad address", "/accounts/password/reset/", "Send the link", {"E-mail address": "not-mail"}
        ),
    ],
    "admin": [
        ErrorForm("member invite, empty", f"/biobanks{B}/members/add/", "Add the member"),
        ErrorForm("token creation, empty", f"/biobanks{B}/tokens/new/", "Create the token"),
    ],
    "technician": [
        ErrorForm("specimen registration, empty", f"/specimens{B}/register/", "Register the specimen"),
        ErrorForm("specimen reception, empty", f"/specimens{B}/worklists/received_today/", "Record reception"),
        ErrorForm("storage unit, empty", f"/specimens{B}/storage/new/", "Create"),
        ErrorForm("box bulk placing, empty", "box_bulk", "Place all"),
    ],
    "consent-officer": [
        ErrorForm(
            "donor registration, bad date of birth",
            f"/consent{B}/donors/new/",
            "Register the donor",
            {"Date of birth": "31.02.1990"},
        ),
        ErrorForm("consent capture, no answers", "capture_sign", "Sign and record the consent"),
        ErrorForm("withdrawal, no reason", "donor_withdraw", "Record the withdrawal"),
        ErrorForm("consent module, empty", f"/consent{B}/modules/new/", "Create the module"),
        ErrorForm("consent policy, empty", f"/consent{B}/policies/new/", "Create the policy"),
        ErrorForm("consent form draft, empty", f"/consent{B}/templates/new/", "Create the draft"),
    ],
    "data-manager": [
        ErrorForm("collection, empty", "/collections/new/", "Create the collection"),
        ErrorForm("collection edit, no name", Follow("/collections/", r"^/collections/\d+/edit/$"), "Save", clear=True),
        ErrorForm("contact person, empty", f"/catalogue/manage{B}/persons/new/", "Save"),
    ],
    "steward": [
        ErrorForm("identity lookup, empty", f"/consent{B}/identity/lookup/", "Find the donor"),
        ErrorForm("re-identification, empty", f"/consent{B}/identity/lookup/", "Re-identify"),
    ],
    "researcher": [ErrorForm("access request draft, empty", "wizard_project", "Save and continue", clear=True)],
    "donor": [ErrorForm("withdrawal, nothing chosen", "/my/withdraw/", "Confirm my withdrawal")],
}

CLEAR = """form => form.querySelectorAll('input, textarea').forEach(el => {
    if (['text', 'email', 'number', 'date', 'url', 'tel', 'search', 'password', 'textarea'].includes(el.type)) {
        el.value = '';
    }
})"""


def submit_with_errors(page: Any, form: ErrorForm) -> str | None:
    """Send ``form`` (its page already open) as described; a problem when no error state follows."""
    main = page.locator("main")
    button = main.get_by_role("button", name=form.submit, exact=True)
    if button.count() != 1:
        return f"{button.count()} buttons named {form.submit!r}, not one"
    if form.clear:
        button.evaluate(f"button => ({CLEAR})(button.form)")
    for label, value in form.fill.items():
        main.get_by_label(label, exact=True).fill(value)
    button.click()
    try:
        page.wait_for_selector(".error-summary", state="attached")
    except Exception:  # Playwright's TimeoutError: the form was accepted, or shows its errors without a summary
        return f"no error summary after the submit (now at {page.url})"
    page.wait_for_load_state()
    return None


ERROR_STATE = """() => {
    const problems = [];
    const name = el => `${el.tagName.toLowerCase()}#${el.id || el.name}`;
    const summary = document.querySelector('.error-summary');
    if (summary.getAttribute('role') !== 'alert' && !summary.contains(document.activeElement)) {
        problems.push('the error summary is neither focused nor role="alert"');
    }
    const linked = [];
    for (const link of summary.querySelectorAll('a[href]')) {
        const target = document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
        if (!target) problems.push(`the summary links ${link.getAttribute('href')}, which is not on the page`);
        else if (target.getAttribute('aria-invalid') !== 'true') {
            problems.push(`the summary links ${name(target)}, which is not aria-invalid`);
        } else linked.push(target);
    }
    const invalid = [...document.querySelectorAll('main [aria-invalid="true"]')];
    const messages = new Set();
    const seen = new Set();  // a group of radio buttons or check boxes is one field: told once
    for (const control of invalid) {
        const key = ['radio', 'checkbox'].includes(control.type) && control.name ? control.name : control;
        if (seen.has(key)) continue;
        seen.add(key);
        const group = control.closest('fieldset');
        const ids = [control, group].flatMap(el => (el && el.getAttribute('aria-describedby') || '').split(/\\s+/));
        const dangling = ids.filter(id => id && !document.getElementById(id));
        if (dangling.length) problems.push(`${name(control)} is described by ${dangling.join(', ')}, not on the page`);
        const described = ids.map(id => id && document.getElementById(id)).filter(Boolean);
        const message = described.find(el => el.matches('.errorlist') && el.textContent.trim());
        if (message) messages.add(message);
        else problems.push(`${name(control)} is aria-invalid, but its aria-describedby names no error message`);
        const same = el => el === control || (control.name && el.name === control.name && el.form === control.form);
        if (!linked.some(same)) problems.push(`${name(control)} is not linked from the error summary`);
    }
    for (const message of document.querySelectorAll('main .errorlist:not(.nonfield)')) {
        if (!summary.contains(message) && !messages.has(message)) {
            problems.push(`the message "${message.textContent.trim().slice(0, 60)}" belongs to no invalid field`);
        }
    }
    return [invalid.length, problems];
}"""


def error_state_problems(page: Any, form: ErrorForm) -> list[str]:
    """What the error state on screen lacks: the summary announced and linked, each field tied to its message."""
    count, problems = page.evaluate(ERROR_STATE)
    if form.fields and not count:
        problems.append("no field is marked aria-invalid")
    return problems
