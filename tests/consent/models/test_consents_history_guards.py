"""Database guards on the consent history (issue 8, problem 9): whatever a client sends, the database sets the
recorded time, keeps consent statuses on their allowed transitions, keeps each consent with the donor who signed it
and its receipt where it was stored. Merges map donors: the merge target still shows every merged donor's consents.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from biobank.accounts.choices import Role
from consent import gate, selectors, services
from consent.choices import CONSENT_ALLOWED_TRANSITIONS, ConsentStatus
from consent.gate import Answer
from consent.models import Consent, PolicyState
from tests.accounts.factories import make_member
from tests.consent.factories import make_catalogue, make_donor, media_root, module, record  # noqa: F401

pytestmark = pytest.mark.django_db

LONG_AGO = datetime(2001, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def officer(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")


@pytest.fixture
def checker(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="checker@example.org")


@pytest.fixture
def template(biobank_a, officer):
    return make_catalogue(biobank_a, actor=officer)


@pytest.fixture
def signed(biobank_a, officer, template):
    """A donor's broad consent, recorded on screen."""
    return record(officer, make_donor(biobank_a), template)


def scan(officer, donor, template) -> Consent:
    return services.consent_scan_upload(
        actor=officer,
        donor=donor,
        template=template,
        language="en",
        choices={"data": "accepted", "biomaterial": "accepted"},
        signed_on=timezone.localdate(),
        file=ContentFile(b"%PDF-1.4 scanned form", name="form.pdf"),
        informed_by=officer,
        informed_place="Outpatient clinic",
    )


def sql(statement: str, params: list | tuple = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def refused(statement: str, params: list | tuple = ()) -> str:
    """Run ``statement`` expecting the database to refuse it; the refusal's message."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        sql(statement, params)
    return str(error.value)


def statement_time() -> datetime:
    return sql("SELECT statement_timestamp()")[0][0]


# --- recorded_at is the database's time ----------------------------------------------------------------------------


def test_a_back_dated_policy_state_written_through_the_orm_gets_the_databases_time(signed):
    before = statement_time()
    row = PolicyState.objects.filter(consent=signed).first()

    forged = PolicyState.objects.create(
        consent=signed,
        donor_id=signed.donor_id,
        module_id=row.module_id,
        policy_id=row.policy_id,
        origin="withdrawal",
        state="withdrawn",
        valid_from=row.valid_from,
        recorded_at=LONG_AGO,
        reason="back-dated",
    )

    assert forged.recorded_at >= before  # read back from the INSERT, not the value sent
    forged.refresh_from_db()
    assert forged.recorded_at >= before


def test_a_back_dated_policy_state_written_in_raw_sql_gets_the_databases_time(signed):
    row = PolicyState.objects.filter(consent=signed).first()
    before = statement_time()

    (recorded,) = sql(
        "INSERT INTO consent_policystate (consent_id, donor_id, module_id, policy_id, origin, withdrawal_level, state, "
        "valid_from, recorded_at, reason) VALUES (%s, %s, %s, %s, 'withdrawal', '', 'withdrawn', %s, %s, 'back-dated') "
        "RETURNING recorded_at",
        [signed.pk, signed.donor_id, row.module_id, row.policy_id, row.valid_from, LONG_AGO],
    )[0]

    assert recorded >= before
    # "as known at" a moment before the insert, the forged withdrawal did not exist: the consent was permitted then
    assert gate.permitted(donor=signed.donor, policy="biomat-use", as_known_at=before).answer == Answer.PERMITTED


def test_a_back_dated_consent_written_in_raw_sql_gets_the_databases_time(signed):
    before = statement_time()
    columns = [
        f.column for f in Consent._meta.concrete_fields if f.column not in ("id", "uid", "recorded_at", "signature_png")
    ]
    names = ", ".join(columns)

    (recorded,) = sql(
        f"INSERT INTO consent_consent (uid, recorded_at, {names}) "
        f"SELECT gen_random_uuid(), %s, {names} FROM consent_consent WHERE id = %s RETURNING recorded_at",
        [LONG_AGO, signed.pk],
    )[0]

    assert recorded >= before


def test_one_signature_shares_one_recorded_time_and_later_calls_in_the_same_transaction_come_later(
    signed, officer, template
):
    assert Consent.objects.get(pk=signed.pk).recorded_at == signed.recorded_at  # the service returns the stored time
    times = set(PolicyState.objects.filter(consent=signed).values_list("recorded_at", flat=True))
    assert len(times) == 1  # every act of one signature, one time
    assert signed.recorded_at <= times.pop()  # the consent row first, then its acts

    rows = services.consent_withdraw_module(
        actor=officer,
        consent=signed,
        module=module(template, "biomaterial"),
        effective=timezone.localdate(),
        reason="x",
    )

    stored = PolicyState.objects.get(pk=rows[0].pk).recorded_at
    assert rows[0].recorded_at == stored  # the service hands back the database's value
    assert stored > signed.recorded_at  # same test transaction, later statement: later time


def test_the_recorded_time_of_a_consent_cannot_be_changed_afterwards(signed):
    message = refused("UPDATE consent_consent SET recorded_at = %s WHERE id = %s", [LONG_AGO, signed.pk])

    assert "What was signed is immutable" in message


# --- status transitions, donor and receipt ----------------------------------------------------------------------

STATUSES = ConsentStatus.values
ALLOWED = {(old, new) for old, targets in CONSENT_ALLOWED_TRANSITIONS.items() for new in targets}


def _consent_in(status: str, officer, donor, template) -> Consent:
    consent = scan(officer, donor, template)
    with connection.cursor() as cursor:  # set up the starting status past the guards (the test runs as superuser)
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE consent_consent SET status = %s WHERE id = %s", [status, consent.pk])
        cursor.execute("SET LOCAL session_replication_role = origin")
    return consent


@pytest.mark.parametrize(("old", "new"), [(o, n) for o in STATUSES for n in STATUSES if o != n])
def test_the_database_allows_exactly_the_status_transitions_of_the_table(biobank_a, officer, template, old, new):
    consent = _consent_in(old, officer, make_donor(biobank_a), template)
    statement = "UPDATE consent_consent SET status = %s WHERE id = %s"

    if (old, new) in ALLOWED:
        sql(statement, [new, consent.pk])
        assert Consent.objects.get(pk=consent.pk).status == new
    else:
        message = refused(statement, [new, consent.pk])
        assert f"cannot change from status {old} to {new}" in message
        assert Consent.objects.get(pk=consent.pk).status == old


def test_qc_still_moves_a_scan_from_pending_to_valid(biobank_a, officer, checker, template):
    consent = scan(officer, make_donor(biobank_a), template)

    services.consent_scan_qc(actor=checker, consent=consent, approve=True)

    assert Consent.objects.get(pk=consent.pk).status == ConsentStatus.VALID


def test_a_signed_consent_cannot_be_moved_to_another_donor(signed, biobank_a):
    other = make_donor(biobank_a)

    message = refused("UPDATE consent_consent SET donor_id = %s WHERE id = %s", [other.pk, signed.pk])

    assert "stays with the donor who signed it" in message
    assert Consent.objects.get(pk=signed.pk).donor_id == signed.donor_id


def test_a_stored_receipt_keeps_its_path(signed):
    consent = services.consent_receipt_generate(consent_id=signed.pk)
    assert consent.receipt.name

    message = refused(
        "UPDATE consent_consent SET receipt = 'consent/receipts/elsewhere.pdf' WHERE id = %s", [signed.pk]
    )

    assert "once set, its path never changes" in message
    assert Consent.objects.get(pk=signed.pk).receipt.name == consent.receipt.name


# --- merges map, they do not move history -----------------------------------------------------------------------


@pytest.fixture
def chain(biobank_a, officer, template):
    """Donors A, B and C of one person, each with a consent; A merged into B, then B into C."""
    a, b, c = (make_donor(biobank_a) for _ in range(3))
    consents = {name: record(officer, donor, template) for name, donor in zip("abc", (a, b, c), strict=True)}
    services.donor_merge(actor=officer, source=a, target=b, reason="Same person (hospital ID).")
    services.donor_merge(actor=officer, source=b, target=c, reason="Same person (national ID).")
    return (a, b, c), consents


def test_a_merge_leaves_each_consent_with_the_donor_who_signed_it(chain):
    (a, b, c), consents = chain

    assert {name: Consent.objects.get(pk=consent.pk).donor_id for name, consent in consents.items()} == {
        "a": a.pk,
        "b": b.pk,
        "c": c.pk,
    }


def test_after_a_to_b_to_c_the_page_of_c_lists_the_consents_of_a_b_and_c(client, officer, chain):
    (a, b, c), consents = chain
    client.force_login(officer)

    page = client.get(f"/consent/biobank-a/donors/{c.pid_display}/").content.decode()

    for consent in consents.values():
        assert f"/consent/biobank-a/consents/{consent.pk}/" in page
    assert f"signed as {a.pid_display}" in page and f"signed as {b.pid_display}" in page
    listed = {x.pk for x in selectors.consents_of_donor(user=officer, donor=c)}
    assert listed == {x.pk for x in consents.values()}
    # B's page lists its own consent and A's (merged into B), not C's
    assert {x.pk for x in selectors.consents_of_donor(user=officer, donor=b)} == {consents["a"].pk, consents["b"].pk}


def test_after_a_to_b_to_c_the_api_lists_the_consents_of_a_b_and_c_under_c(officer, chain):
    from rest_framework.test import APIClient

    (a, b, c), consents = chain
    api = APIClient()
    api.force_authenticate(officer)

    response = api.get(f"/api/v1/donors/{c.pid_display}/consents/")

    assert response.status_code == 200, response.content
    rows = {row["id"]: row["donor"] for row in response.json()["results"]}
    assert rows == {consents["a"].pk: a.pid, consents["b"].pk: b.pid, consents["c"].pk: c.pid}


def test_the_donor_consents_api_is_404_for_a_donor_of_another_biobank(officer, biobank_b):
    from rest_framework.test import APIClient

    foreign = make_donor(biobank_b)
    api = APIClient()
    api.force_authenticate(officer)

    assert api.get(f"/api/v1/donors/{foreign.pid}/consents/").status_code == 404


def test_the_donor_page_query_count_does_not_grow_with_the_merge_chain(client, officer, biobank_a, template):
    from django.test.utils import CaptureQueriesContext

    def queries_for_chain(length: int) -> int:
        donors = [make_donor(biobank_a) for _ in range(length)]
        for donor in donors:
            record(officer, donor, template)
        for source, target in pairwise(donors):
            services.donor_merge(actor=officer, source=source, target=target, reason="Same person.")
        url = f"/consent/biobank-a/donors/{donors[-1].pid_display}/"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client.force_login(officer)
    assert queries_for_chain(1) == queries_for_chain(4)


def test_the_clock_fixture_moves_the_databases_clock_with_the_portals(clock):
    when = timezone.make_aware(datetime(2024, 5, 1, 9))
    clock(when)

    assert sql("SELECT consent_clock()")[0][0] == when
    assert timezone.now() == when


def test_as_known_before_a_withdrawal_recorded_with_the_databases_clock_use_was_permitted(
    clock, biobank_a, officer, template
):
    day = timezone.localdate() + timedelta(days=10)
    clock(timezone.make_aware(datetime.combine(day - timedelta(days=5), datetime.min.time())))
    consent = record(officer, make_donor(biobank_a), template)
    clock(timezone.make_aware(datetime.combine(day, datetime.min.time())))
    services.consent_withdraw_module(
        actor=officer, consent=consent, module=module(template, "biomaterial"), effective=day, reason="Letter."
    )

    as_known_before = timezone.make_aware(datetime.combine(day - timedelta(days=1), datetime.min.time()))
    result = gate.permitted(donor=consent.donor, policy="biomat-use", at=day, as_known_at=as_known_before)

    assert result.answer == Answer.PERMITTED
