"""Messages to donors: rendered in the donor's language from the wording staff edited (``MessageTemplate``) or
the shipped one (``templates/emails/donor/``), e-mailed through the outbox and kept in the donor portal.

Staff wording is a Django template restricted to the variables of its kind and to ``if``/``else`` tags, checked when
saved: it can show only what the portal hands it, and cannot load other templates or tag libraries.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from biobank.accounts.emails import queue_rendered_email
from biobank.accounts.models import Biobank, User
from biobank.audit.services import audit_record
from biobank.errors import DomainError, InvalidFields

from ...choices import MessageKind
from ...models import DonorAccount, DonorMessage, IdentityRecord, MessageTemplate
from ...vault_crypto import vault_get
from ..permissions import require_manage_consent

logger = logging.getLogger(__name__)

LANGUAGES = ("en", "de")
# The variables each kind of message may use (all are plain text; no identifying value of the donor is among them).
VARIABLES: dict[str, tuple[str, ...]] = {
    MessageKind.DONOR_INVITATION: ("biobank", "link", "expires", "portal_url"),
    MessageKind.RECONSENT_INVITATION: ("biobank", "link", "expires", "portal_url", "campaign", "version"),
    MessageKind.CHOICE_CHANGED: ("biobank", "portal_url", "module", "choice", "effective"),
    MessageKind.WITHDRAWAL_CONFIRMATION: ("biobank", "portal_url", "what", "effective", "consequences"),
}
# Example values for the staff preview.
SAMPLE: dict[str, str] = {
    "biobank": "Example Biobank",
    "link": "https://portal.example.org/my/welcome/EXAMPLE-TOKEN/",
    "expires": "2026-12-20",
    "portal_url": "https://portal.example.org/my/",
    "campaign": "Broad consent version 2",
    "version": "2.0",
    "module": "Genetic research",
    "choice": "declined",
    "effective": "2026-12-06",
    "what": "No further use",
    "consequences": "Your samples will be destroyed; an administrative record is kept.",
}
_TAG = re.compile(r"{%\s*(\w+)")
_VARIABLE = re.compile(r"{{\s*([\w.]+)")
_FILTER = re.compile(r"\|\s*(\w+)")
_ALLOWED_TAGS = {"if", "elif", "else", "endif"}
# Filters that only change case or give a default: nothing that pads, repeats, formats numbers or can raise.
_ALLOWED_FILTERS = {"upper", "lower", "capfirst", "title", "default"}
# The one-time link goes into the body only: a subject is stored in the portal copy and the outbox row as sent.
_BODY_ONLY = {"link"}
MAX_SUBJECT, MAX_BODY = 200, 20_000
_ENGINE = Engine(libraries={}, builtins=["django.template.defaulttags", "django.template.defaultfilters"])


def _check_wording(text: str, *, field: str, kind: str) -> list[tuple[str, str]]:
    """The problems of one staff-written text: unknown tags, filters or variables (the link only in the body), a
    syntax error, or a text that does not render on sample values within the size limit."""
    allowed = set(VARIABLES[kind]) - (_BODY_ONLY if field == "subject" else set())
    problems = []
    filters = sorted({name for name in _FILTER.findall(text) if name not in _ALLOWED_FILTERS})
    if filters:
        problems.append(
            (
                field,
                _("Only the filters %(allowed)s may be used; not allowed here: %(filters)s.")
                % {"allowed": ", ".join(sorted(_ALLOWED_FILTERS)), "filters": ", ".join(filters)},
            )
        )
    tags = sorted({tag for tag in _TAG.findall(text) if tag not in _ALLOWED_TAGS})
    if tags:
        problems.append(
            (
                field,
                _("Only {%% if %%} … {%% else %%} … {%% endif %%} may be used; not allowed here: %(tags)s.")
                % {"tags": ", ".join(tags)},
            )
        )
    names = sorted({name.split(".")[0] for name in _VARIABLE.findall(text)} - allowed)
    if names:
        problems.append(
            (
                field,
                _("Unknown variable(s) %(names)s; this message can use: %(allowed)s.")
                % {"names": ", ".join(names), "allowed": ", ".join(VARIABLES[kind])},
            )
        )
    if not problems:
        try:
            rendered = _render(text, {name: SAMPLE.get(name, "") for name in allowed})
        except TemplateSyntaxError as error:
            problems.append((field, _("The text cannot be read as a template: %(error)s") % {"error": error}))
        except Exception as error:  # a filter or tag that fails on real values: refused now, not at every send
            problems.append((field, _("The text cannot be filled in: %(error)s") % {"error": error}))
        else:
            limit = MAX_SUBJECT if field == "subject" else MAX_BODY
            if len(rendered) > limit:
                problems.append(
                    (
                        field,
                        _("Filled in, the text has %(length)d characters; at most %(limit)d are allowed.")
                        % {"length": len(rendered), "limit": limit},
                    )
                )
    return problems


def _render(text: str, values: dict[str, Any]) -> str:
    return _ENGINE.from_string(text).render(Context(values, autoescape=False))


def message_render(*, biobank: Biobank, kind: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """``(subject, body)`` of a message in ``language``: staff's wording if there is one, else the shipped one."""
    values = {name: context.get(name, "") for name in VARIABLES[kind]}
    in_subject = {**values, **dict.fromkeys(_BODY_ONLY, "")}
    custom = MessageTemplate.objects.filter(biobank=biobank, kind=kind, language=language).first()
    with translation.override(language):
        subject = body = None
        if custom is not None:
            try:
                subject, body = _render(custom.subject, in_subject), _render(custom.body, values)
            except Exception:  # checked when saved; should it fail anyway, the donor still gets the message
                logger.exception(
                    "Staff wording of %s [%s] of biobank %s failed; shipped wording used", kind, language, biobank.pk
                )
                subject = body = None
            if subject is not None and (len(subject) > MAX_SUBJECT * 2 or len(body or "") > MAX_BODY):
                subject = body = None
        if subject is None or body is None:
            subject = render_to_string(f"emails/donor/{kind}_subject.txt", in_subject)
            body = render_to_string(f"emails/donor/{kind}_body.txt", values)
    return " ".join(subject.split())[:255], body.strip() + "\n"


def message_template_save(
    *, actor: User, biobank: Biobank, kind: str, language: str, subject: str, body: str
) -> MessageTemplate:
    """Staff save their wording of one kind of donor message in one language (all problems reported at once)."""
    require_manage_consent(actor, biobank)
    if kind not in MessageKind.values:
        raise DomainError(
            _("Unknown message %(kind)r; known: %(known)s.") % {"kind": kind, "known": ", ".join(MessageKind.values)},
            field="kind",
        )
    if language not in LANGUAGES:
        raise DomainError(
            _("Messages are written in %(languages)s, not %(language)r.")
            % {"languages": ", ".join(LANGUAGES), "language": language},
            field="language",
        )
    subject, body = (subject or "").strip(), (body or "").strip()
    problems: list[tuple[str, str]] = []
    if not subject:
        problems.append(("subject", _("Write the subject of the message.")))
    elif len(subject) > 200:
        problems.append(("subject", _("The subject may have at most 200 characters.")))
    if not body:
        problems.append(("body", _("Write the text of the message.")))
    problems += _check_wording(subject, field="subject", kind=kind) if subject else []
    problems += _check_wording(body, field="body", kind=kind) if body else []
    if problems:
        errors: dict[str, list[str]] = {}
        for field, message in problems:
            errors.setdefault(field, []).append(message)
        raise InvalidFields(errors)
    with transaction.atomic():
        row = MessageTemplate.objects.select_for_update().filter(biobank=biobank, kind=kind, language=language).first()
        before = (row.subject, row.body) if row else ("", "")
        if row is None:
            row = MessageTemplate(biobank=biobank, kind=kind, language=language)
        row.subject, row.body, row.updated_by = subject, body, actor
        row.save()
        audit_record(
            actor=actor,
            action="consent.message_template_save",
            obj=row,
            changes={"subject": [before[0], subject], "body": [before[1], body]},
            details={"kind": kind, "language": language},
        )
    return row


@transaction.atomic
def message_template_reset(*, actor: User, biobank: Biobank, kind: str, language: str) -> bool:
    """Go back to the shipped wording (delete staff's); ``False`` when there was none."""
    require_manage_consent(actor, biobank)
    row = MessageTemplate.objects.select_for_update().filter(biobank=biobank, kind=kind, language=language).first()
    if row is None:
        return False
    audit_record(
        actor=actor,
        action="consent.message_template_reset",
        obj=row,
        changes={"subject": [row.subject, ""], "body": [row.body, ""]},
        details={"kind": kind, "language": language},
    )
    row.delete()
    return True


def donor_email_of(account: DonorAccount) -> str:
    """The donor's e-mail address: the account's, which was taken from the identity vault at invitation."""
    return account.user.email


def vault_email(donor_ids: list[int]) -> str:
    """The first e-mail address in the identity vault among ``donor_ids`` (in that order); "" when none."""
    records = {r.donor_id: r for r in IdentityRecord.objects.filter(donor_id__in=donor_ids)}
    for donor_id in donor_ids:
        record = records.get(donor_id)
        email = vault_get(record, "email") if record is not None else None
        if email:
            return email
    return ""


def donor_message_send(
    *, account: DonorAccount, kind: str, context: dict[str, Any], secret_link: str = ""
) -> DonorMessage:
    """Record a message for the donor (shown in the portal) and e-mail it (the outbox sends it after commit).

    ``secret_link`` (a one-time sign-in link) goes only into the e-mail: the portal copy says it was e-mailed.
    """
    base = {
        "biobank": account.biobank.name,
        "portal_url": settings.SITE_URL + "/my/",
        **context,
    }
    subject, body = message_render(
        biobank=account.biobank, kind=kind, language=account.language, context={**base, "link": secret_link}
    )
    email = queue_rendered_email(template=f"donor/{kind}", to=donor_email_of(account), subject=subject, body=body)
    if secret_link:
        with translation.override(account.language):
            _subject, body = message_render(
                biobank=account.biobank,
                kind=kind,
                language=account.language,
                context={**base, "link": _("(the personal link was sent to you by e-mail)")},
            )
    return DonorMessage.objects.create(account=account, kind=kind, subject=subject, body=body, email=email)


@transaction.atomic
def donor_message_mark_read(*, account: DonorAccount, message: DonorMessage) -> DonorMessage:
    """The donor opened a message of theirs (a message of another account is not found)."""
    message = DonorMessage.objects.select_for_update().get(pk=message.pk, account=account)
    if message.read_at is None:
        from django.utils import timezone

        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message
