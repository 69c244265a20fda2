"""Staff pages of the donor registry: list and search, detail, registration, possible duplicates, merge, and the
identity steward's pages (identity with a reason, lookup by hospital ID or PID).

Every page asks ``biobank_for`` first: a foreign biobank is a 404, a missing permission a 403 page naming it.
Identity pages are never cached and show identifying data only in the response to a stated reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from biobank.accounts.choices import BIOBANK_PERMISSIONS, Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import AuthenticatedHttpRequest
from biobank.errors import DomainError, ForbiddenError
from biobank.pseudonyms.checkchar import display
from biobank.web.access import biobank_access, biobank_for
from biobank.web.export import Column, export_filters, export_format, export_links, export_response
from biobank.web.forms import add_domain_error
from biobank.web.paging import before_position

from .. import services
from ..choices import DonorStatus, DuplicateReviewStatus
from ..forms.consents import DonorWithdrawForm
from ..forms.donors import (
    DonorRegisterForm,
    DonorSearchForm,
    DuplicateDecisionForm,
    HospitalLookupForm,
    MergeForm,
    ReasonForm,
    ReidentifyForm,
)
from ..forms.portal_staff import InviteForm
from ..models import Donor
from ..selectors import (
    donor_get_for,
    donors_visible_to,
    donors_with_pids,
    duplicate_reviews_visible_to,
    earlier_pid,
    earlier_pids_of,
    pid_canonical,
)
from ..selectors.consents import consents_of_donor
from ..selectors.portal_staff import donor_portal_status, donor_propagations, family_of

PAGE_SIZE = 50


def _born(donor: Donor) -> str:
    if not donor.birth_year:
        return ""
    return f"{donor.birth_year}-{donor.birth_month:02d}" if donor.birth_month else str(donor.birth_year)


def _status(donor: Donor) -> str:
    status = str(donor.get_status_display())
    return f"{status} → {donor.merged_into.pid_display}" if donor.merged_into else status


# The donor list's columns, as the page shows them: the PID and what the registry holds without identity.
DONOR_COLUMNS = (
    Column(gettext_lazy("PID"), "pid_display"),
    Column(gettext_lazy("Sex"), "get_sex_display"),
    Column(gettext_lazy("Born (year/month)"), _born),
    Column(gettext_lazy("Status"), _status),
    Column(gettext_lazy("Registered"), "created_at"),
)


def _perms(request: AuthenticatedHttpRequest, biobank: Biobank) -> set[str]:
    """What the person may do here, from the request-cached roles (no query beyond the navigation's)."""
    return next((a.perms for a in biobank_access(request) if a.biobank.pk == biobank.pk), set())


def _donor(request: AuthenticatedHttpRequest, biobank: Biobank, pid: str) -> Donor:
    """The donor by any PID it ever had (an earlier PID from an old label finds it too); 404 otherwise."""
    try:
        return donor_get_for(user=request.user, pid=pid, biobank=biobank)
    except (DomainError, Donor.DoesNotExist):
        raise Http404(_("No donor with this PID in this biobank.")) from None


def _identity_rows(identity: services.Identity) -> list[tuple[str, str]]:
    labels = {
        "given_names": _("Given names"),
        "family_name": _("Family name"),
        "date_of_birth": _("Date of birth"),
        "address": _("Address"),
        "hospital_id": _("Hospital ID (MRN)"),
        "national_id": _("National ID"),
        "email": _("E-mail"),
        "phone": _("Phone"),
    }
    return [(labels[name], value) for name, value in identity.rows()]


@require_GET
@login_required
def donor_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """Newest first, 50 a page, keyset-paginated (``?before=<id>``: no COUNT over a big registry)."""
    biobank = biobank_for(request, code, Perm.VIEW_DONORS)
    search = DonorSearchForm(request.GET or None)
    donors = donors_visible_to(user=request.user).filter(biobank=biobank).order_by("-pk")
    if search.is_bound and search.is_valid() and search.cleaned_data["pid"]:
        try:
            donors = donors_with_pids(donors, [pid_canonical(search.cleaned_data["pid"])])
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            search.add_error("pid", error.message)
            donors = donors.none()
    fmt = export_format(request)
    if fmt is not None:  # every row the filters give, not just this page; audited before the first row leaves
        filters = export_filters(request)
        return export_response(
            items=donors,
            columns=DONOR_COLUMNS,
            name=f"donors-{biobank.code}",
            export_format=fmt,
            audit=lambda: services.donors_export_record(
                actor=request.user, biobank=biobank, filters=filters, export_format=fmt
            ),
        )
    before = before_position(request)
    if before is not None:
        donors = donors.filter(pk__lt=before)
    page = list(donors[: PAGE_SIZE + 1])
    older = page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None
    query = request.GET.copy()
    query.pop("before", None)
    perms = _perms(request, biobank)
    context = {
        "biobank": biobank,
        "donors": page[:PAGE_SIZE],
        "search": search,
        "older": older,
        "query": query.urlencode(),
        "can_register": "manage_consent" in perms,
        "can_lookup": "view_identity" in perms,
        "export": export_links(request),
    }
    return render(request, "consent/donors/list.html", context)


@require_GET
@login_required
def donor_detail(request: AuthenticatedHttpRequest, code: str, pid: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.VIEW_DONORS)
    donor = _donor(request, biobank, pid)
    earlier = earlier_pid(pid, donor)
    if earlier is not None:  # the page lives under the current PID; say which earlier PID led here
        messages.info(
            request,
            _(
                "%(asked)s is an earlier PID of this donor (still valid, e.g. on older labels); "
                "its current PID is %(pid)s."
            )
            % {"asked": display(earlier), "pid": donor.pid_display},
        )
        return redirect("consent:donor_detail", code=biobank.code, pid=donor.pid_display)
    perms = _perms(request, biobank)
    family = family_of(donor)
    context = {
        "biobank": biobank,
        "donor": donor,
        "portal": donor_portal_status(donor, family),
        "propagations": donor_propagations(family),
        "can_invite": "manage_consent" in perms and donor.status == DonorStatus.ACTIVE,
        "invite_form": InviteForm(),
        "earlier_pids": [display(pid) for pid in earlier_pids_of(donor)],
        "consents": consents_of_donor(user=request.user, donor=donor).order_by("-signed_on", "-pk"),
        "can_identity": "view_identity" in perms,
        "can_merge": "manage_consent" in perms and not donor.is_merged,
        "can_history": "view_audit" in perms,
    }
    return render(request, "consent/donors/detail.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def donor_register(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    form = DonorRegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.donor_register(actor=request.user, biobank=biobank, **form.cleaned_data)
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if registration.review is not None:
                messages.warning(  # the review's number only: who it may be is for an identity steward
                    request,
                    _(
                        "This person may already be registered. No donor was created; the registration is held for "
                        "review #%(number)s, which an identity steward decides."
                    )
                    % {"number": registration.review.pk},
                )
                return redirect("consent:duplicate_review", code=biobank.code, review_id=registration.review.pk)
            donor = registration.donor
            assert donor is not None
            messages.success(request, _("Donor %(pid)s was registered.") % {"pid": donor.pid_display})
            return redirect("consent:donor_detail", code=biobank.code, pid=donor.pid_display)
    return render(request, "consent/donors/register.html", {"biobank": biobank, "form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def donor_identity(request: AuthenticatedHttpRequest, code: str, pid: str) -> HttpResponse:
    """The steward states a reason first; the identity is shown only in the answer to that (audited) request."""
    biobank = biobank_for(request, code, Perm.VIEW_IDENTITY)
    donor = _donor(request, biobank, pid)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"biobank": biobank, "donor": donor, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            identity = services.identity_view(actor=request.user, donor=donor, reason=form.cleaned_data["reason"])
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            context["identity"] = _identity_rows(identity)
            context["reason"] = form.cleaned_data["reason"]
    return render(request, "consent/donors/identity.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def identity_lookup(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Find a donor by hospital ID (nothing decrypted), or re-identify a PID; both with a reason, both audited."""
    biobank = biobank_for(request, code, Perm.VIEW_IDENTITY)
    action = request.POST.get("action") if request.method == "POST" else None
    by_hospital = HospitalLookupForm(request.POST if action == "hospital" else None, prefix="hospital")
    by_pid = ReidentifyForm(request.POST if action == "pid" else None, prefix="pid")
    context: dict[str, Any] = {"biobank": biobank, "by_hospital": by_hospital, "by_pid": by_pid}
    if action == "hospital" and by_hospital.is_valid():
        try:
            context["found"] = services.identity_lookup_by_hospital_id(
                actor=request.user, biobank=biobank, **by_hospital.cleaned_data
            )
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(by_hospital, error)
    elif action == "pid" and by_pid.is_valid():
        try:
            identity = services.donor_reidentify(actor=request.user, biobank=biobank, **by_pid.cleaned_data)
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(by_pid, error, {"pseudonym": "pid"})
        else:
            context["identity"] = _identity_rows(identity)
            context["donor"] = identity.donor
    return render(request, "consent/donors/lookup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def donor_merge(request: AuthenticatedHttpRequest, code: str, pid: str) -> HttpResponse:
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    source = _donor(request, biobank, pid)
    form = MergeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        target = None
        try:
            target = donor_get_for(user=request.user, pid=form.cleaned_data["target"], biobank=biobank)
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            form.add_error("target", error.message)
        except Donor.DoesNotExist:
            form.add_error("target", _("No donor with this PID in this biobank."))
        if target is not None:
            try:
                services.donor_merge(
                    actor=request.user, source=source, target=target, reason=form.cleaned_data["reason"]
                )
            except ForbiddenError:
                raise  # the browser's 403 page, not a form error
            except DomainError as error:
                add_domain_error(form, error, {"source": None, "target": "target"})  # type: ignore[dict-item]
            else:
                messages.success(
                    request,
                    _("Donor %(source)s was merged into %(target)s.")
                    % {"source": source.pid_display, "target": target.pid_display},
                )
                return redirect("consent:donor_detail", code=biobank.code, pid=target.pid_display)
    return render(request, "consent/donors/merge.html", {"biobank": biobank, "donor": source, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def donor_withdraw(request: AuthenticatedHttpRequest, code: str, pid: str) -> HttpResponse:
    """The donor withdraws as a person (a letter, a call): at a level, on the day they made it, on every form."""
    biobank = biobank_for(request, code, Perm.MANAGE_CONSENT)
    donor = _donor(request, biobank, pid)
    form = DonorWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rows = services.donor_withdraw(actor=request.user, donor=donor, **form.cleaned_data)
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            codes = ", ".join(sorted({row.policy.code for row in rows}))
            messages.success(
                request,
                _(
                    "Withdrawal recorded for %(codes)s. Its effects on specimens, counts and the donor follow in the "
                    "background; the donor's page lists them under “Withdrawals and their effects”."
                )
                % {"codes": codes},
            )
            return redirect("consent:donor_detail", code=biobank.code, pid=donor.pid_display)
    levels = services.WITHDRAWAL_LEVEL_POLICIES
    context = {"biobank": biobank, "donor": donor, "form": form, "levels": levels}
    return render(request, "consent/donors/withdraw.html", context)


def _review_access(request: AuthenticatedHttpRequest, code: str) -> tuple[Biobank, set[str]]:
    """Possible duplicates are for those who register donors (they see that reviews exist) and for identity
    stewards (who see the candidates with a reason and decide); others get a 403 page naming both permissions."""
    biobank = biobank_for(request, code)
    perms = _perms(request, biobank)
    if not perms & {"manage_consent", "view_identity"}:
        raise PermissionDenied(
            _("Your roles in %(biobank)s do not allow this: it needs “%(a)s” or “%(b)s”.")
            % {
                "biobank": biobank.name,
                "a": BIOBANK_PERMISSIONS[Perm.MANAGE_CONSENT],
                "b": BIOBANK_PERMISSIONS[Perm.VIEW_IDENTITY],
            }
        )
    return biobank, perms


# The duplicates page's columns (both tables): never a candidate, those are identity data.
DUPLICATE_COLUMNS = (
    Column(gettext_lazy("Review"), lambda review: f"#{review.pk}"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Registered by"), lambda review: review.created_by.email if review.created_by else _("system")),
    Column(gettext_lazy("When"), "created_at"),
    Column(gettext_lazy("Donor"), lambda review: review.donor.pid_display if review.donor else ""),
    Column(gettext_lazy("Decided"), "decided_at"),
)


@require_GET
@login_required
def duplicate_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """The queue: numbers, who registered and when, never the candidates (identity data, see ``duplicate_review``).
    The export (``?format=``) has every review, pending and decided; it names donors, so it is audited."""
    biobank, perms = _review_access(request, code)
    reviews = duplicate_reviews_visible_to(user=request.user).filter(biobank=biobank)
    fmt = export_format(request)
    if fmt is not None:
        return export_response(
            items=reviews.order_by("-pk"),
            columns=DUPLICATE_COLUMNS,
            name=f"possible-duplicates-{biobank.code}",
            export_format=fmt,
            audit=lambda: services.donors_export_record(
                actor=request.user, biobank=biobank, filters={"list": "duplicates"}, export_format=fmt
            ),
        )
    pending = list(reviews.filter(status=DuplicateReviewStatus.PENDING))
    decided = list(reviews.exclude(status=DuplicateReviewStatus.PENDING).order_by("-decided_at")[:20])
    context = {
        "biobank": biobank,
        "pending": pending,
        "decided": decided,
        "can_decide": "view_identity" in perms,
        "export": export_links(request),
    }
    return render(request, "consent/donors/duplicates.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def duplicate_review(request: AuthenticatedHttpRequest, code: str, review_id: int) -> HttpResponse:
    """A held-back registration. Anyone who registers donors sees that it exists and its outcome; the candidates
    (which registered donors it may be, with a verdict per field) are identity data: an identity steward states a
    reason (``action=candidates``, audited) and then decides (``action=decide``, the reason again, audited with
    the decision). Nobody else sees who the candidates are.
    """
    biobank, perms = _review_access(request, code)
    review = duplicate_reviews_visible_to(user=request.user).filter(biobank=biobank, pk=review_id).first()
    if review is None:
        raise Http404(_("No possible duplicate with this number in this biobank."))
    can_decide = "view_identity" in perms
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and not can_decide:
        raise PermissionDenied(
            _("Only an identity steward sees the candidates of a possible duplicate and decides it.")
        )
    reason_form = ReasonForm(request.POST if action in ("candidates", "decide") else None)
    context: dict[str, Any] = {"biobank": biobank, "review": review, "can_decide": can_decide}
    candidates = None
    if action in ("candidates", "decide") and reason_form.is_valid():
        try:
            candidates = services.duplicate_review_candidates(
                actor=request.user, review=review, reason=reason_form.cleaned_data["reason"]
            )
        except ForbiddenError:
            raise  # the browser's 403 page, not a form error
        except DomainError as error:
            add_domain_error(reason_form, error)
    if candidates is not None:
        choices = [(str(c.donor.pk), c.donor.pid_display) for c in candidates]
        form = DuplicateDecisionForm(
            request.POST if action == "decide" else None,
            candidates=choices,
            initial={"reason": request.POST.get("reason", "")},
        )
        if action == "decide" and review.is_pending and form.is_valid():
            data = form.cleaned_data
            chosen = next((c.donor for c in candidates if str(c.donor.pk) == data.get("donor")), None)
            try:
                donor = services.duplicate_review_decide(
                    actor=request.user,
                    review=review,
                    decision=data["decision"],
                    donor=chosen,
                    note=data["note"],
                    reason=data["reason"],
                )
            except ForbiddenError:
                raise  # the browser's 403 page, not a form error
            except DomainError as error:
                add_domain_error(form, error)
            else:
                if data["decision"] == DuplicateReviewStatus.SAME_PERSON:
                    message = _("No new donor: the person is donor %(pid)s.")
                else:
                    message = _("Donor %(pid)s was registered.")
                messages.success(request, message % {"pid": donor.pid_display})
                return redirect("consent:donor_detail", code=biobank.code, pid=donor.pid_display)
        context.update(candidates=candidates, form=form)
    else:
        context["form"] = reason_form
    return render(request, "consent/donors/duplicate_review.html", context)
