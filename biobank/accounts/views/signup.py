"""Researcher self-registration and e-mail verification."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from biobank.accounts.forms import ResearcherSignupForm
from biobank.accounts.ratelimit import email_form_refused
from biobank.accounts.signin import researcher_register, researcher_verify_email
from biobank.errors import DomainError


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:dashboard")
    if request.method == "POST":
        form = ResearcherSignupForm(request.POST)
        if form.is_valid():
            if email_form_refused(request, form, scope="signup"):
                return render(request, "accounts/signup.html", {"form": form}, status=429)
            researcher_register(
                actor=None,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
            # Same answer whether or not the address already had an account (no account enumeration).
            return redirect("accounts:signup_done")
    else:
        form = ResearcherSignupForm()
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = researcher_verify_email(actor=None, token=token)
    except DomainError as error:
        return render(request, "accounts/verify_failed.html", {"error": error.message}, status=400)
    return render(request, "accounts/verify_done.html", {"verified_user": user})
