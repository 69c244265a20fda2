"""The access requests' part of the global search (``biobank.web.search``): a request number (``AR-2026-00012``,
any case) or a request's id as shown on drafts (``#12`` or ``12``) opens the request, for those who may read it
(``requests_visible_to``: its researcher and team, the reviewers of its biobanks). Always one query."""

from __future__ import annotations

import re

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from biobank.web.search import MAX_HITS, SearchHit

from .selectors import requests_visible_to

_ID = re.compile(r"#?([0-9]{1,9})")


def requests_search(user: object, text: str) -> list[SearchHit]:
    asked = Q(number__iexact=text)
    by_id = _ID.fullmatch(text)
    if by_id is not None:
        asked |= Q(pk=int(by_id.group(1)))
    found = requests_visible_to(user=user).filter(asked).order_by("pk").values_list("pk", "number", "title")
    return [
        SearchHit(
            kind=_("Access requests"),
            label=number or f"#{pk}",
            url=reverse("access_requests:detail", args=[pk]),
            detail=title,
        )
        for pk, number, title in found[:MAX_HITS]
    ]
