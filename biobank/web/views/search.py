"""The global search page (``/search/?q=``): one match opens its page, several are listed by kind, none is
"nothing found" — the same answer for an object the person may not see as for one that does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.web.search import MAX_QUERY_LENGTH, hits_by_kind, search_all, search_clean


@never_cache  # a PID typed here is a sensitive look-up: no copy in a shared cache
@login_required
@require_GET
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    text = search_clean(raw)
    hits = search_all(user=request.user, text=text)
    if len(hits) == 1:
        return redirect(hits[0].url)
    context = {
        "q": raw[:MAX_QUERY_LENGTH] if isinstance(raw, str) else "",
        "asked": bool(raw.strip()),
        "groups": hits_by_kind(hits),
        "max_length": MAX_QUERY_LENGTH,
    }
    return render(request, "web/search.html", context)
