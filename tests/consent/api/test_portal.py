"""The donor's own API (/api/v1/me/…): each endpoint for its donor, IDOR (another donor's objects and guessed ids are
404), everyone without a donor account gets 404 as for a path that does not exist, a withdrawal once, bad input a
400 naming the field."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from biobank.accounts.choices import Role
from biobank.audit.models import AuditEvent, AuditOutbox
from consent import services
from consent.models import Consent, DonorAccount, DonorMessage, WithdrawalPropagation
from tests.accounts.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def me(p, login):
    """A client signed in as the portal donor ``p``."""
    return login(p.account.user)


def audited(action: str) -> int:
    return AuditOutbox.objects.filter(action=action).count() + AuditEvent.objects.filter(action=action).count()


def every_endpoint(p) -> list[tuple[str, str, dict | None]]:
    consent, message = p.consent.pk, DonorMessage.objects.filter(account=p.account).latest("pk").pk
    return [
        ("get", "/api/v1/me/overview/", None),
        ("get", "/api/v1/me/consents/", None),
        ("get", f"/api/v1/me/consents/{consent}/", None),
        ("get", f"/api/v1/me/consents/{consent}/receipt", None),
        ("get", "/api/v1/me/history/", None),
        ("get", "/api/v1/me/projects/", None),
        ("get", "/api/v1/me/messages/", None),
        ("get", f"/api/v1/me/messages/{message}/", None),
        ("post", "/api/v1/me/choices/", {"consent": consent, "module": "recontact", "choice": "declined"}),
        ("post", "/api/v1/me/withdrawals/", {"level": "no_further_use"}),
        ("get", "/api/v1/me/preferences/", None),
        ("put", "/api/v1/me/preferences/", PREFERENCES),
        ("patch", "/api/v1/me/preferences/", {"notify_news": True}),
    ]


PREFERENCES = {"notify_news": True, "notify_results": True, "notify_recontact": True, "language": "de"}


def call(client: APIClient, method: str, url: str, body: dict | None):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body, format="json")


# --- each endpoint for its donor --------------------------------------------------------------------------------


def test_the_overview_shows_the_answer_per_part_the_forms_signed_and_unread_messages(jane, login):
    body = me(jane, login).get("/api/v1/me/overview/").json()

    modules = {row["code"]: row for row in body["modules"]}
    assert {code: row["state"] for code, row in modules.items()} == {
        "data": "accepted",
        "biomaterial": "accepted",
        "recontact": "accepted",
        "research": "accepted",
    }
    assert modules["data"]["mandatory"] and not modules["data"]["changeable"]  # required: withdraw instead
    assert modules["recontact"]["changeable"] and modules["recontact"]["consent"] == jane.consent.pk
    assert [c["id"] for c in body["consents"]] == [jane.consent.pk]
    assert body["consents"][0]["form"] == {
        "id": jane.template.pk,
        "code": "broad",
        "version_label": jane.template.version_label,
        "title": "Broad consent",
    }
    assert (body["withdrawal"], body["reconsent"], body["unread"], body["pending_propagation"]) == ("", [], 1, False)


def test_the_consents_are_listed_newest_first_with_the_answer_per_part(jane, login):
    client = me(jane, login)
    client.post("/api/v1/me/choices/", {"consent": jane.consent.pk, "module": "research", "choice": "declined"})
    newer = client.post(
        "/api/v1/me/choices/",
        {"consent": jane.consent.pk, "module": "research", "choice": "accepted", "signer_name": "Jane Schmidt"},
        format="json",
    ).json()["consent"]

    rows = client.get("/api/v1/me/consents/").json()["results"]

    assert [row["id"] for row in rows] == [newer["id"], jane.consent.pk]
    assert rows[0]["source"] == "donor_portal" and rows[1]["source"] == "electronic"
    assert {c["module"]: c["choice"] for c in rows[0]["choices"]}["research"] == "accepted"


def test_a_consent_is_shown_as_signed_in_the_language_it_was_signed_in(jane, login):
    DonorAccount.objects.filter(pk=jane.account.pk).update(language="de")

    response = me(jane, login).get(f"/api/v1/me/consents/{jane.consent.pk}/")

    body = response.json()
    assert response["Content-Language"] == "de"
    assert body["language"] == "en" and body["title"] == "Broad consent"
    assert body["text"].startswith("I agree that my data")
    first = body["parts"][0]
    assert (first["module"], first["title"], first["choice"]) == ("data", "Patient data", "accepted")
    assert body["choices"][0]["title"].endswith("(de)")  # the answers as listed: in the donor's language


def test_the_receipt_is_the_pdf_of_the_donors_own_consent_and_each_read_is_audited(jane, login):
    services.consent_receipt_generate(consent_id=jane.consent.pk)
    before = audited("consent.receipt_read")

    response = me(jane, login).get(f"/api/v1/me/consents/{jane.consent.pk}/receipt")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]
    assert audited("consent.receipt_read") == before + 1


def test_a_receipt_not_made_yet_is_a_404_saying_so(jane, login):
    response = me(jane, login).get(f"/api/v1/me/consents/{jane.consent.pk}/receipt")

    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert "no receipt" in response.json()["detail"]


def test_the_history_projects_and_messages_are_the_donors_own(jane, karl, login):
    client = me(jane, login)

    history = client.get("/api/v1/me/history/").json()["results"]
    projects = client.get("/api/v1/me/projects/").json()
    messages = client.get("/api/v1/me/messages/").json()["results"]

    assert {entry["kind"] for entry in history} == {"consent", "message"}
    assert projects == {"next": None, "previous": None, "results": []}
    assert [m["id"] for m in messages] == list(
        DonorMessage.objects.filter(account=jane.account).order_by("-pk").values_list("pk", flat=True)
    )


def test_opening_a_message_marks_it_read(jane, login):
    client = me(jane, login)
    message = DonorMessage.objects.filter(account=jane.account).latest("pk")

    body = client.get(f"/api/v1/me/messages/{message.pk}/").json()

    assert body["subject"] == message.subject and body["body"] == message.body and body["read_at"]
    assert client.get("/api/v1/me/overview/").json()["unread"] == 0


def test_declining_a_part_is_a_withdrawal_and_agreeing_again_a_new_consent(jane, login):
    client = me(jane, login)

    declined = client.post(
        "/api/v1/me/choices/", {"consent": jane.consent.pk, "module": "recontact", "choice": "declined"}, format="json"
    )
    again = client.post(
        "/api/v1/me/choices/",
        {"consent": jane.consent.pk, "module": "recontact", "choice": "accepted", "signer_name": "Jane Schmidt"},
        format="json",
    )

    assert declined.status_code == 201, declined.content
    assert declined.json()["result"] == "withdrawal" and declined.json()["consent"] is None
    assert declined.json()["propagation"]["kind"] == "module"
    assert declined.json()["propagation"]["module"] == "recontact"
    assert again.status_code == 201, again.content
    consent = again.json()["consent"]
    assert again.json()["result"] == "consent" and again["Location"].endswith(f"/api/v1/me/consents/{consent['id']}/")
    assert Consent.objects.get(pk=consent["id"]).donor_id == jane.donor.pk


def test_a_withdrawal_at_a_level_answers_its_propagation(jane, login):
    response = me(jane, login).post(
        "/api/v1/me/withdrawals/", {"level": "no_further_access", "words": "I moved abroad"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    row = WithdrawalPropagation.objects.get(donor=jane.donor)
    assert body == {
        "id": row.pk,
        "kind": "level",
        "level": "no_further_access",
        "module": "",
        "effective": row.effective.isoformat(),
        "status": "pending",
        "created_at": body["created_at"],
    }
    assert "I moved abroad" in row.reason and row.by_donor


def test_a_withdrawal_from_one_part(jane, login):
    response = me(jane, login).post(
        "/api/v1/me/withdrawals/", {"consent": jane.consent.pk, "module": "research"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["module"]) == ("module", "research")


def test_withdrawing_twice_is_a_409_problem_and_one_propagation(jane, login):
    client = me(jane, login)

    first = client.post("/api/v1/me/withdrawals/", {"level": "no_further_use"}, format="json")
    second = client.post("/api/v1/me/withdrawals/", {"level": "no_further_use"}, format="json")

    assert first.status_code == 201
    assert second.status_code == 409 and second["Content-Type"] == PROBLEM
    assert second.json()["errors"][0]["code"] == "withdrawn"
    assert WithdrawalPropagation.objects.filter(donor=jane.donor).count() == 1


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer_and_withdraws_once(jane, login):
    client = me(jane, login)
    key = str(uuid.uuid4())

    first = client.post("/api/v1/me/withdrawals/", {"level": "no_further_use"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    retry = client.post("/api/v1/me/withdrawals/", {"level": "no_further_use"}, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.content == first.content and retry["Idempotent-Replayed"] == "true"
    assert WithdrawalPropagation.objects.filter(donor=jane.donor).count() == 1


def test_the_preferences_are_read_and_set_with_an_etag(jane, login):
    client = me(jane, login)
    read = client.get("/api/v1/me/preferences/")

    changed = client.patch(
        "/api/v1/me/preferences/", {"notify_results": True, "language": "de"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    stale = client.put(
        "/api/v1/me/preferences/",
        {"notify_news": True, "notify_results": True, "notify_recontact": True, "language": "en"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )

    assert changed.status_code == 200, changed.content
    assert changed.json() == {"notify_news": False, "notify_results": True, "notify_recontact": False, "language": "de"}
    assert changed["Content-Language"] == "de" and changed["ETag"] != read["ETag"]
    assert stale.status_code == 412
    account = DonorAccount.objects.get(pk=jane.account.pk)
    assert (account.notify_results, account.notify_news, account.language) == (True, False, "de")


# --- IDOR: another donor's objects and guessed ids ------------------------------------------------------------


def test_another_donors_consent_receipt_and_message_are_404_like_ids_that_do_not_exist(jane, karl, login):
    services.consent_receipt_generate(consent_id=karl.consent.pk)
    client = me(jane, login)
    message = DonorMessage.objects.filter(account=karl.account).latest("pk")
    missing = Consent.objects.order_by("-pk").first().pk + 1000

    for url in (
        f"/api/v1/me/consents/{karl.consent.pk}/",
        f"/api/v1/me/consents/{karl.consent.pk}/receipt",
        f"/api/v1/me/messages/{message.pk}/",
        f"/api/v1/me/consents/{missing}/",
        f"/api/v1/me/consents/{missing}/receipt",
        f"/api/v1/me/messages/{message.pk + 1000}/",
    ):
        response = client.get(url)
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM, url
        assert "Karl" not in response.content.decode() and "Oberhuber" not in response.content.decode()
    assert DonorMessage.objects.get(pk=message.pk).read_at is None
    assert audited("consent.receipt_read") == 0


def test_lists_never_show_another_donors_records(jane, karl, login):
    client = me(jane, login)

    consents = [row["id"] for row in client.get("/api/v1/me/consents/").json()["results"]]
    messages = {row["id"] for row in client.get("/api/v1/me/messages/").json()["results"]}

    assert consents == [jane.consent.pk]
    assert not messages & set(DonorMessage.objects.filter(account=karl.account).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "body",
    [
        {"module": "recontact", "choice": "declined"},
        {"module": "recontact", "choice": "accepted", "signer_name": "Jane Schmidt"},
    ],
)
def test_changing_a_choice_on_another_donors_consent_is_a_404_that_changes_nothing(jane, karl, login, body):
    response = me(jane, login).post("/api/v1/me/choices/", {"consent": karl.consent.pk, **body}, format="json")

    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert not WithdrawalPropagation.objects.exists()
    assert Consent.objects.filter(donor=karl.donor).count() == 1


def test_withdrawing_from_another_donors_consent_is_a_404_that_changes_nothing(jane, karl, login):
    response = me(jane, login).post(
        "/api/v1/me/withdrawals/", {"consent": karl.consent.pk, "module": "recontact"}, format="json"
    )

    assert response.status_code == 404
    assert not WithdrawalPropagation.objects.exists()


# --- nobody else: 404 as for a path that does not exist; anonymous 401 -----------------------------------------


def _others(jane, biobank_a, consent_officer_a, token_client, login) -> dict[str, APIClient]:
    return {
        "consent officer": login(consent_officer_a),
        "biobank admin": login(make_member(biobank_a, Role.BIOBANK_ADMIN, email="portal-admin@example.org")),
        "researcher": login(UserFactory(email="portal-researcher@example.org", is_researcher=True)),
        "donor without an account": login(UserFactory(email="portal-donor@example.org", is_donor=True)),
        "token": token_client(biobank_a, "view_donors", "view_biobank"),
    }


def test_staff_researchers_tokens_and_donors_without_an_account_get_404_everywhere(
    jane, biobank_a, consent_officer_a, token_client, login
):
    before = (WithdrawalPropagation.objects.count(), Consent.objects.count(), DonorAccount.objects.get().language)

    for who, client in _others(jane, biobank_a, consent_officer_a, token_client, login).items():
        for method, url, body in every_endpoint(jane):
            response = call(client, method, url, body)
            assert response.status_code == 404, (who, method, url, response.content)
            assert response["Content-Type"] == PROBLEM
            assert response.json()["detail"].startswith("No API resource at")

    after = (WithdrawalPropagation.objects.count(), Consent.objects.count(), DonorAccount.objects.get().language)
    assert after == before


def test_without_credentials_every_endpoint_is_a_401(jane):
    for method, url, body in every_endpoint(jane):
        response = call(APIClient(), method, url, body)
        assert response.status_code == 401, (method, url)


def test_a_session_post_without_the_csrf_token_is_refused(jane):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(jane.account.user)

    response = client.post("/api/v1/me/withdrawals/", {"level": "no_further_use"}, format="json")

    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert not WithdrawalPropagation.objects.exists()


def test_the_donor_still_gets_who_is_calling_at_api_v1_me(jane, login):
    body = me(jane, login).get("/api/v1/me/").json()

    assert body["kind"] == "person" and body["is_donor"] is True


# --- bad input: 400 naming the field ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "body", "pointer"),
    [
        ("/api/v1/me/withdrawals/", {"level": "go_away"}, "/level"),
        ("/api/v1/me/withdrawals/", {}, "/level"),
        ("/api/v1/me/withdrawals/", {"level": "no_further_use", "module": "recontact"}, "/level"),
        ("/api/v1/me/withdrawals/", {"module": "recontact"}, "/consent"),
        ("/api/v1/me/withdrawals/", {"consent": "CONSENT", "module": "recontact"}, "/consent"),
        ("/api/v1/me/withdrawals/", {"consent": "{consent}"}, "/module"),
        ("/api/v1/me/withdrawals/", {"consent": "{consent}", "module": "no-such-part"}, "/module"),
        ("/api/v1/me/withdrawals/", {"level": "no_further_use", "words": "x" * 1001}, "/words"),
        ("/api/v1/me/choices/", {"consent": "{consent}", "module": "recontact", "choice": "maybe"}, "/choice"),
        ("/api/v1/me/choices/", {"consent": "{consent}", "module": "no-such-part", "choice": "declined"}, "/module"),
        ("/api/v1/me/choices/", {"consent": "{consent}", "module": "data", "choice": "declined"}, "/choice"),
        ("/api/v1/me/choices/", {"module": "recontact", "choice": "declined"}, "/consent"),
        ("/api/v1/me/preferences/", {"language": "fr"}, "/language"),
        ("/api/v1/me/preferences/", {"notify_news": "perhaps"}, "/notify_news"),
    ],
)
def test_bad_input_is_a_400_problem_naming_the_field_and_changes_nothing(jane, login, url, body, pointer):
    body = {key: (jane.consent.pk if value == "{consent}" else value) for key, value in body.items()}
    client = me(jane, login)

    if url.endswith("preferences/"):
        response = client.patch(url, body, format="json")
    else:
        response = client.post(url, body, format="json")

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    assert pointer in [error["pointer"] for error in response.json()["errors"]]
    assert not WithdrawalPropagation.objects.exists()
    assert DonorAccount.objects.get().language == "en"


def test_agreeing_again_without_a_signature_is_a_400_naming_the_signer_name(jane, login):
    client = me(jane, login)
    client.post("/api/v1/me/choices/", {"consent": jane.consent.pk, "module": "recontact", "choice": "declined"})

    response = client.post(
        "/api/v1/me/choices/", {"consent": jane.consent.pk, "module": "recontact", "choice": "accepted"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/signer_name"
    assert Consent.objects.filter(donor=jane.donor).count() == 1


def test_an_answer_that_is_already_so_is_a_409(jane, login):
    response = me(jane, login).post(
        "/api/v1/me/choices/",
        {"consent": jane.consent.pk, "module": "recontact", "choice": "accepted", "signer_name": "Jane Schmidt"},
        format="json",
    )

    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "unchanged"


def test_a_client_asking_for_pdf_gets_the_receipt_and_a_problem_still_as_json(jane, karl, login):
    services.consent_receipt_generate(consent_id=jane.consent.pk)
    client = me(jane, login)

    own = client.get(f"/api/v1/me/consents/{jane.consent.pk}/receipt", HTTP_ACCEPT="application/pdf")
    foreign = client.get(f"/api/v1/me/consents/{karl.consent.pk}/receipt", HTTP_ACCEPT="application/pdf")

    assert own.status_code == 200 and own.content.startswith(b"%PDF-")
    assert foreign.status_code == 404 and foreign["Content-Type"] == PROBLEM
    assert foreign.json()["status"] == 404


def test_the_schema_documents_every_endpoint_of_the_donor_api():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    mine = {path: sorted(item) for path, item in paths.items() if path.startswith("/api/v1/me/")}
    assert mine == {
        "/api/v1/me/": ["get"],
        "/api/v1/me/choices/": ["post"],
        "/api/v1/me/consents/": ["get"],
        "/api/v1/me/consents/{id}/": ["get"],
        "/api/v1/me/consents/{id}/receipt": ["get"],
        "/api/v1/me/history/": ["get"],
        "/api/v1/me/messages/": ["get"],
        "/api/v1/me/messages/{id}/": ["get"],
        "/api/v1/me/overview/": ["get"],
        "/api/v1/me/preferences/": ["get", "patch", "put"],
        "/api/v1/me/projects/": ["get"],
        "/api/v1/me/withdrawals/": ["post"],
    }
    assert list(paths["/api/v1/me/consents/{id}/receipt"]["get"]["responses"]["200"]["content"]) == ["application/pdf"]
    assert "409" in paths["/api/v1/me/withdrawals/"]["post"]["responses"]
    assert "404" in paths["/api/v1/me/overview/"]["get"]["responses"]
