"""What a donor does in the portal: change one choice, re-consent, withdraw (once), preferences, own receipts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from biobank.errors import ConflictError, DomainError
from consent import gate, services
from consent.choices import ConsentSource, PropagationKind
from consent.models import Consent, WithdrawalPropagation
from consent.services.portal import (
    donor_choice_change,
    donor_preferences_update,
    donor_receipt_read,
    donor_reconsent,
    donor_self_withdraw,
    module_states,
)
from consent.services.portal.changes import _template_modules

pytestmark = pytest.mark.django_db


def states(p):
    return {code: s.state for code, s in module_states(p.account, _template_modules(p.template)).items()}


def policy(p, code):
    return gate.permitted(donor=p.donor, policy=code, at=timezone.localdate())


def test_declining_an_accepted_part_withdraws_it_from_today(jane):
    result = donor_choice_change(account=jane.account, consent=jane.consent, module_code="recontact", choice="declined")
    assert isinstance(result, WithdrawalPropagation)
    assert result.kind == PropagationKind.MODULE and result.by_donor
    assert states(jane)["recontact"] == "withdrawn"
    assert policy(jane, "recontact").code == "withdrawn"
    assert policy(jane, "biomat-use").allowed  # the other parts stay as they were


def test_agreeing_again_is_a_new_consent_in_the_portal_that_carries_the_other_answers(jane):
    donor_choice_change(account=jane.account, consent=jane.consent, module_code="research", choice="declined")
    donor_choice_change(account=jane.account, consent=jane.consent, module_code="recontact", choice="declined")
    consent = donor_choice_change(
        account=jane.account, consent=jane.consent, module_code="recontact", choice="accepted", signer_name="Jane M S"
    )
    assert isinstance(consent, Consent) and consent.source == ConsentSource.DONOR_PORTAL
    assert consent.recorded_by == jane.account.user and consent.countersigned_by is None
    choices = {c.module.code: c.choice for c in consent.choices.select_related("module")}
    # the withdrawn research part is carried as declined, never silently accepted again
    assert choices == {"data": "accepted", "biomaterial": "accepted", "recontact": "accepted", "research": "declined"}
    assert states(jane) == {
        "data": "accepted",
        "biomaterial": "accepted",
        "recontact": "accepted",
        "research": "declined",
    }
    assert policy(jane, "recontact").allowed and not policy(jane, "mdat-use-pub").allowed


def test_a_new_consent_needs_the_typed_name(jane):
    donor_choice_change(account=jane.account, consent=jane.consent, module_code="recontact", choice="declined")
    with pytest.raises(DomainError) as error:
        donor_choice_change(account=jane.account, consent=jane.consent, module_code="recontact", choice="accepted")
    assert error.value.field == "signer_name"


def test_the_same_answer_again_changes_nothing(jane):
    with pytest.raises(ConflictError) as error:
        donor_choice_change(account=jane.account, consent=jane.consent, module_code="recontact", choice="accepted")
    assert error.value.code == "unchanged"


def test_a_required_part_cannot_be_declined_only_withdrawn(jane):
    with pytest.raises(DomainError) as error:
        donor_choice_change(account=jane.account, consent=jane.consent, module_code="data", choice="declined")
    assert error.value.code == "mandatory_module"
    assert "withdraw" in error.value.message


def test_another_donors_consent_is_not_found(jane, karl):
    with pytest.raises(Consent.DoesNotExist):
        donor_choice_change(account=jane.account, consent=karl.consent, module_code="recontact", choice="declined")
    with pytest.raises(Consent.DoesNotExist):
        donor_self_withdraw(account=jane.account, consent=karl.consent, module_code="recontact")
    with pytest.raises(Consent.DoesNotExist):
        donor_receipt_read(account=jane.account, consent=karl.consent)


def test_withdrawing_at_a_level_is_refused_the_second_time_without_a_second_effect(jane):
    donor_self_withdraw(account=jane.account, level="no_further_use", words="I moved abroad")
    with pytest.raises(ConflictError) as error:
        donor_self_withdraw(account=jane.account, level="no_further_use")
    assert error.value.code == "withdrawn"
    with pytest.raises(ConflictError):
        donor_self_withdraw(account=jane.account, level="no_further_contact")  # a weaker level is covered already
    assert WithdrawalPropagation.objects.filter(donor=jane.donor).count() == 1
    row = WithdrawalPropagation.objects.get(donor=jane.donor)
    assert row.destroys_material and row.blocks_material and "I moved abroad" in row.reason


def test_a_stronger_level_after_a_weaker_one_is_recorded(jane):
    donor_self_withdraw(account=jane.account, level="no_further_contact")
    donor_self_withdraw(account=jane.account, level="no_further_use")
    assert list(WithdrawalPropagation.objects.filter(donor=jane.donor).values_list("level", flat=True)) == [
        "no_further_use",
        "no_further_contact",
    ]


def test_withdrawing_one_part_twice_is_refused(jane):
    donor_self_withdraw(account=jane.account, consent=jane.consent, module_code="biomaterial")
    with pytest.raises(ConflictError):
        donor_self_withdraw(account=jane.account, consent=jane.consent, module_code="biomaterial")
    row = WithdrawalPropagation.objects.get(donor=jane.donor)
    assert row.blocks_material and not row.destroys_material  # a biomaterial use policy


def test_withdrawing_needs_a_level_or_a_part(jane):
    with pytest.raises(DomainError):
        donor_self_withdraw(account=jane.account)
    with pytest.raises(DomainError):
        donor_self_withdraw(account=jane.account, level="everything")


def test_reconsent_to_a_new_version(jane, consent_officer_a):
    donor_choice_change(account=jane.account, consent=jane.consent, module_code="research", choice="declined")
    v2 = services.template_new_version(actor=consent_officer_a, previous=jane.template, version_label="v2")
    v2 = services.template_activate(actor=consent_officer_a, template=v2)
    with pytest.raises(DomainError) as error:  # the old version is retired: no new consent on it
        donor_choice_change(
            account=jane.account, consent=jane.consent, module_code="research", choice="accepted", signer_name="J"
        )
    assert error.value.code == "outdated_version"
    consent = donor_reconsent(
        account=jane.account,
        template=v2,
        choices={"data": "accepted", "biomaterial": "accepted", "recontact": "declined", "research": "accepted"},
        signer_name="Jane Schmidt",
    )
    assert consent.template == v2 and consent.source == ConsentSource.DONOR_PORTAL
    assert not policy(jane, "recontact").allowed


def test_preferences_and_language(jane):
    account = donor_preferences_update(
        account=jane.account, notify_news=True, notify_results=True, notify_recontact=False, language="de"
    )
    assert (account.notify_news, account.notify_results, account.notify_recontact, account.language) == (
        True,
        True,
        False,
        "de",
    )
    with pytest.raises(DomainError):
        donor_preferences_update(
            account=jane.account, notify_news=True, notify_results=True, notify_recontact=False, language="fr"
        )


def test_the_donor_reads_their_own_receipt(jane, django_capture_on_commit_callbacks):
    from consent.services.consents import consent_receipt_generate

    consent_receipt_generate(consent_id=jane.consent.pk)
    data = donor_receipt_read(account=jane.account, consent=jane.consent)
    assert data.startswith(b"%PDF")


def test_a_donor_level_withdrawal_turns_every_notification_off(jane, django_capture_on_commit_callbacks):
    donor_preferences_update(
        account=jane.account, notify_news=True, notify_results=True, notify_recontact=True, language="en"
    )
    with django_capture_on_commit_callbacks(execute=True):
        donor_self_withdraw(account=jane.account, level="no_further_contact")
    jane.account.refresh_from_db()
    assert (jane.account.notify_news, jane.account.notify_results, jane.account.notify_recontact) == (
        False,
        False,
        False,
    )
    row = WithdrawalPropagation.objects.get(donor=jane.donor)
    assert row.steps["consent.donor_notifications"]["result"] == {"notifications": "off"}
