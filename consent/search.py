"""The consent app's part of the global search (``biobank.web.search``): a PID opens the donor's page.

Only for people who may see donors (``donors_visible_to``: ``view_donors`` on the donor's biobank), by any PID the
donor ever had. Text that is no well-formed PID runs no query; a well-formed PID always runs the same one query and
is recorded in the trail (``donor.search``), whether a visible donor has it, a foreign one, or none.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from biobank.accounts.principals import Principal
from biobank.errors import DomainError
from biobank.web.search import MAX_HITS, SearchHit

from .selectors import donors_visible_to, pid_canonical
from .services import donor_search_record


def donors_search(user: Principal, text: str) -> list[SearchHit]:
    try:
        pid = pid_canonical(text)
    except DomainError:
        return []  # not a PID (a barcode, a name): no donor look-up, nothing recorded
    donors = list(donors_visible_to(user=user).filter(pid_history__pid=pid).distinct().order_by("pk")[:MAX_HITS])
    donor_search_record(actor=user, pid=pid, donors=donors)
    return [
        SearchHit(
            kind=_("Donors"),
            label=donor.pid_display,
            url=reverse("consent:donor_detail", args=[donor.biobank.code, donor.pid_display]),
            detail=donor.biobank.name,
        )
        for donor in donors
    ]
