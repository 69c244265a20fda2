"""The specimens' part of the global search (``biobank.web.search``): a barcode opens its specimen; a PID opens
the donor's specimens where the person may see specimens but not donors (a fallback: the donor's own page, from
the consent app's provider, comes first for those who may open it).

Always the same two queries, scoped by ``specimens_visible_to``: another biobank's tube is absent, as a nonexistent
one is.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from biobank.accounts.principals import Principal
from biobank.web.search import MAX_HITS, SearchHit

from .selectors.specimens import pid_canonical, specimens_visible_to


def specimens_search(user: Principal, text: str) -> list[SearchHit]:
    visible = specimens_visible_to(user=user).order_by()
    hits = [
        SearchHit(
            kind=_("Specimens"),
            label=barcode,
            url=reverse("specimens:specimen_detail", args=[code, barcode]),
            detail=name,
        )
        for barcode, code, name in visible.filter(barcode=text).values_list("barcode", "biobank__code", "biobank__name")
    ]
    donors = (
        visible.filter(donor__pid=pid_canonical(text))
        .values_list("biobank__code", "biobank__name")
        .distinct()
        .order_by("biobank__name")[:MAX_HITS]
    )
    hits += [
        SearchHit(
            kind=_("Specimens of a donor"),
            label=str(_("Specimens of donor %(pid)s") % {"pid": text.upper()}),
            url=f"{reverse('specimens:specimen_list', args=[code])}?{urlencode({'pid': text})}",
            detail=name,
            fallback=True,
        )
        for code, name in donors
    ]
    return hits
