"""E-mails sent to people: rendered here, delivered by the ``send_email`` task after the transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User
from .tasks import send_email


def queue_email(*, template: str, to: str, context: dict) -> None:
    """Render ``templates/emails/<template>_subject.txt`` and ``..._body.txt`` and queue their delivery."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}_body.txt", context)
    send_email.delay(subject=subject, body=body, to=[to])


def password_reset_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def send_set_password_email(*, user_id: int) -> None:
    """A person added to a biobank by an admin gets a link to choose their password."""
    user = User.objects.get(pk=user_id)
    queue_email(template="set_password", to=user.email, context={"user": user, "link": password_reset_link(user)})
