"""The signed-in person's profile: their name, and the biobanks and roles they hold."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from biobank.accounts.forms import ProfileForm
from biobank.accounts.selectors import memberships_of_user
from biobank.accounts.signin import user_profile_update

from ..principals import AuthenticatedHttpRequest


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            user_profile_update(actor=user, user=user, full_name=form.cleaned_data["full_name"])
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"full_name": user.full_name})
    memberships = memberships_of_user(user=user).order_by("biobank__name", "role")
    biobanks = [
        {"biobank": biobank, "roles": [m.get_role_display() for m in group]}
        for biobank, group in groupby(memberships, key=lambda m: m.biobank)
    ]
    return render(request, "accounts/profile.html", {"form": form, "biobanks": biobanks})
