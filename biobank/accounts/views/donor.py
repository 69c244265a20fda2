"""Donors sign in with a one-time link sent by e-mail; they have no password.

The link page asks for one click (a POST) before signing in, so e-mail scanners that open links do not use it up.
"""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from biobank.accounts.forms import DonorLinkForm
from biobank.accounts.ratelimit import email_form_refused
from biobank.accounts.signin import DONOR_LINK_MAX_AGE, donor_for_login_link, donor_login_link_send


def link_request(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DonorLinkForm(request.POST)
        if form.is_valid():
            if email_form_refused(request, form, scope="donor_link"):
                return render(request, "accounts/donor_link_form.html", {"form": form}, status=429)
            donor_login_link_send(actor=None, email=form.cleaned_data["email"])
            return redirect("accounts:donor_link_sent")
    else:
        form = DonorLinkForm()
    return render(request, "accounts/donor_link_form.html", {"form": form})


def link_sent(request: HttpRequest) -> HttpResponse:
    minutes = int(DONOR_LINK_MAX_AGE.total_seconds() // 60)
    return render(request, "accounts/donor_link_sent.html", {"minutes": minutes})


@never_cache
def link_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    donor = donor_for_login_link(uidb64=uidb64, token=token)
    if donor is None:
        return render(request, "accounts/donor_link_invalid.html", status=400)
    if request.method == "POST":
        login(request, donor, backend="django.contrib.auth.backends.ModelBackend")  # updates last_login: link used
        return redirect("web:dashboard")
    return render(request, "accounts/donor_link_confirm.html", {"donor": donor})
