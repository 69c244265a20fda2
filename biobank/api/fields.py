"""Serializer fields shared by every app's API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.fields import empty

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobanks_visible_to, biobanks_with_perm


class BiobankCodeField(serializers.CharField):
    """A biobank named by its code in a request body, resolved among those where the caller holds ``perm``.

    The validated value is the ``Biobank``. A code of a biobank the caller cannot see, or of none at all, is the same
    400 (``"No biobank with this code where you may <action>."``, the code not echoed): the answer does not tell
    which biobanks exist. A biobank the caller sees but lacks ``perm`` in is a 403 naming it and the permission.
    The caller is the serializer context's ``request.user`` (person or token). Views call
    ``BiobankCodeField.of(serializer).require_somewhere(user)`` first, so that a caller who holds ``perm`` nowhere
    gets a 403 whatever the body says.

        biobank = BiobankCodeField(perm=Perm.MANAGE_CATALOG, action="manage the catalogue")
    """

    def __init__(self, *, perm: Perm, action: str, **kwargs: Any) -> None:
        self.perm = perm
        self.action = action
        kwargs.setdefault("max_length", Biobank._meta.get_field("code").max_length)
        kwargs.setdefault("help_text", f"Code of a biobank where you may {action} (needs `{perm}` there).")
        super().__init__(**kwargs)

    def run_validation(self, data: Any = empty) -> Any:
        # the code is checked as text first (type, blank, length), then resolved
        code = super().run_validation(data)
        if code in (None, ""):
            return code
        user = self.context["request"].user
        biobank = biobanks_with_perm(user=user, perm=self.perm).filter(code=code).first()
        if biobank is not None:
            return biobank
        if biobanks_visible_to(user=user).filter(code=code).exists():
            raise exceptions.PermissionDenied(
                _("You may not %(action)s in %(code)s; this needs %(perm)s.")
                % {"action": self.action, "code": code, "perm": self.perm}
            )
        raise serializers.ValidationError(
            _("No biobank with this code where you may %(action)s.") % {"action": self.action}, code="does_not_exist"
        )

    def to_representation(self, value: Any) -> str:
        return value.code if isinstance(value, Biobank) else str(value)

    @staticmethod
    def of(serializer: serializers.Serializer) -> BiobankCodeField:
        """The serializer's biobank field (the one ``BiobankCodeField`` among its fields)."""
        (field,) = [field for field in serializer.fields.values() if isinstance(field, BiobankCodeField)]
        return field

    def require_somewhere(self, user: Principal) -> None:
        """403 unless the caller holds the field's permission in at least one biobank (checked before the body)."""
        if not biobanks_with_perm(user=user, perm=self.perm).exists():
            raise exceptions.PermissionDenied(
                _("You may not %(action)s: you hold %(perm)s in no biobank.")
                % {"action": self.action, "perm": self.perm}
            )
