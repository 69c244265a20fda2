from django.apps import AppConfig


class AccessRequestsConfig(AppConfig):
    """Researcher requests, committees, votes, releases."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "access_requests"
    label = "access_requests"
    verbose_name = "access requests"

    def ready(self) -> None:
        # --- notifications and webhooks (helper notify) ---
        from django.utils.translation import gettext_lazy as _

        from biobank.accounts.choices import Perm
        from biobank.web.context_processors import register_account_link, register_biobank_link

        from .services.notifications import event_dispatch_safely
        from .services.workflow import on_request_event

        on_request_event(event_dispatch_safely)
        # the header's global search: a request number (access_requests/search.py)
        from biobank.web.search import register_search_provider

        from .search import requests_search

        register_search_provider("requests", requests_search)
        register_account_link(
            label=_("Notifications"),
            url_name="access_requests:notifications",
            show=lambda user, accesses: (
                bool(getattr(user, "is_researcher", False)) or any(a.can(Perm.REVIEW_REQUESTS) for a in accesses)
            ),
        )
        register_biobank_link(label=_("Webhooks"), url_name="access_requests:webhooks", perm=Perm.MANAGE_API_TOKENS)
        # --- entitle: the demo biobanks' transfer agreement (access_requests/demo.py) ---
        from biobank.demo import register_demo_seeder

        from .demo import seed_agreements

        register_demo_seeder("transfer agreements of the demo biobanks (MDTA v1)", seed_agreements)

        from .demo_requests import seed_requests

        register_demo_seeder("access requests in every state, a committee and a built release", seed_requests)

        from biobank.web.context_processors import register_user_link

        # --- wizard: researchers reach their requests from the main navigation ---
        register_user_link(
            label=_("Access requests"),
            url_name="access_requests:my_requests",
            test=lambda user: bool(getattr(user, "is_researcher", False)),
        )
        # --- fulfilment: a donor's withdrawal reaches releases and shipments; the donor's list of projects ---
        from consent.selectors.portal import register_donor_projects_source
        from consent.withdrawal_effects import register_withdrawal_effect

        from .services.withdrawals import donor_projects, requests_withdrawal_notify

        register_withdrawal_effect(requests_withdrawal_notify, name="access_requests.requests", order=40)
        register_donor_projects_source(donor_projects)

        # --- the committee's pages: the review queue in the main navigation, committee and agreements per biobank ---
        from biobank.web.context_processors import register_main_link

        register_main_link(label=_("Reviews"), url_name="access_requests:review_queue", perm=Perm.REVIEW_REQUESTS)
        register_biobank_link(
            label=_("Data-access committee"), url_name="access_requests:committee_manage", perm=Perm.DECIDE_REQUESTS
        )
        register_biobank_link(
            label=_("Transfer agreements"), url_name="access_requests:agreement_list", perm=Perm.DECIDE_REQUESTS
        )
        # --- dash: the role dashboards (access_requests/dashboard.py) ---
        from biobank.web.panels import register_biobank_tile, register_user_section

        from . import dashboard

        register_biobank_tile(
            template="access_requests/partials/pipeline_tile.html",
            perms=(Perm.MANAGE_MEMBERS,),
            load=dashboard.pipeline_by_biobank,
        )
        register_biobank_tile(
            template="access_requests/partials/my_reviews_tile.html",
            perms=(Perm.REVIEW_REQUESTS,),
            load=dashboard.my_reviews_by_biobank,
        )
        register_user_section(
            template="access_requests/partials/my_requests_section.html",
            show=dashboard.shows_my_requests,
            load=dashboard.my_requests_waiting,
        )
