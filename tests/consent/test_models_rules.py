"""Rules about one record live on the model (issue 10, item 5): checked here on unsaved rows, no database needed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from consent.choices import (
    CONSENT_ALLOWED_TRANSITIONS,
    DONOR_ALLOWED_TRANSITIONS,
    DUPLICATE_REVIEW_ALLOWED_TRANSITIONS,
    INVALIDATION_ALLOWED_TRANSITIONS,
    TEMPLATE_ALLOWED_TRANSITIONS,
    ConsentStatus,
    DonorStatus,
    DuplicateReviewStatus,
    InvalidationStatus,
    ModuleDefault,
    TemplateStatus,
)
from consent.models import Consent, ConsentInvalidation, Donor, DuplicateReview, Module, Template

MAY_1 = date(2026, 5, 1)


def test_an_active_version_is_signable_inside_its_signing_period_only():
    template = Template(status=TemplateStatus.ACTIVE, valid_from=date(2026, 4, 1), valid_to=date(2026, 5, 31))
    assert template.signable_on(date(2026, 4, 1))
    assert template.signable_on(date(2026, 5, 31))
    assert not template.signable_on(date(2026, 3, 31))
    assert not template.signable_on(date(2026, 6, 1))


def test_a_version_without_a_signing_period_is_signable_any_day_while_active():
    assert Template(status=TemplateStatus.ACTIVE).signable_on(MAY_1)
    assert Template(status=TemplateStatus.ACTIVE, valid_to=MAY_1).signable_on(date(1999, 1, 1))


@pytest.mark.parametrize("status", [TemplateStatus.DRAFT, TemplateStatus.RETIRED])
def test_a_draft_or_retired_version_is_never_signable(status):
    assert not Template(status=status).signable_on(MAY_1)


def test_a_version_was_in_use_from_the_local_day_of_its_activation_to_that_of_its_retirement():
    # 22:30 UTC on 30 April is 1 May in Berlin (the portal's TIME_ZONE): the local day counts.
    template = Template(
        status=TemplateStatus.RETIRED,
        activated_at=datetime(2026, 4, 30, 22, 30, tzinfo=UTC),
        retired_at=datetime(2026, 6, 30, 10, 0, tzinfo=UTC),
    )
    assert (template.activated_on, template.retired_on) == (MAY_1, date(2026, 6, 30))
    assert template.in_use_on(MAY_1)
    assert template.in_use_on(date(2026, 6, 30))
    assert not template.in_use_on(date(2026, 4, 30))
    assert not template.in_use_on(date(2026, 7, 1))


def test_a_version_still_in_use_counts_until_today_and_a_draft_was_never_in_use():
    active = Template(status=TemplateStatus.ACTIVE, activated_at=datetime(2026, 4, 30, 22, 30, tzinfo=UTC))
    assert active.in_use_on(date(2030, 1, 1))
    assert not active.in_use_on(date(2026, 4, 30))
    assert not Template(status=TemplateStatus.DRAFT).in_use_on(MAY_1)


@pytest.mark.parametrize(
    ("mandatory", "default", "carried"),
    [
        (False, ModuleDefault.NONE, ModuleDefault.NONE),
        (False, ModuleDefault.DECLINED, ModuleDefault.DECLINED),
        (False, ModuleDefault.ACCEPTED, ModuleDefault.NONE),  # signed before the Planet49 rule
        (True, ModuleDefault.DECLINED, ModuleDefault.NONE),
        (True, ModuleDefault.ACCEPTED, ModuleDefault.NONE),
    ],
)
def test_a_new_module_version_never_carries_a_default_no_longer_allowed(mandatory, default, carried):
    assert Module(mandatory=mandatory, default_state=default).carried_default == carried


def test_only_an_active_donor_can_consent():
    assert Donor(status=DonorStatus.ACTIVE).can_consent
    assert not Donor(status=DonorStatus.DECEASED).can_consent
    assert not Donor(status=DonorStatus.MERGED).can_consent


@pytest.mark.parametrize(
    ("model", "statuses", "table"),
    [
        (Template, TemplateStatus, TEMPLATE_ALLOWED_TRANSITIONS),
        (Donor, DonorStatus, DONOR_ALLOWED_TRANSITIONS),
        (Consent, ConsentStatus, CONSENT_ALLOWED_TRANSITIONS),
        (ConsentInvalidation, InvalidationStatus, INVALIDATION_ALLOWED_TRANSITIONS),
        (DuplicateReview, DuplicateReviewStatus, DUPLICATE_REVIEW_ALLOWED_TRANSITIONS),
    ],
)
def test_can_become_walks_the_whole_transition_table(model, statuses, table):
    for current in statuses:
        for target in statuses:
            assert model(status=current).can_become(target) == (target in table[current]), (current, target)
        assert not model(status=current).can_become("no-such-status")
