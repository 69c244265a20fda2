"""``biobank.api.idempotency``: the generic store behind ``Idempotency-Key`` (the specimens API is its first user;
tests/specimens/api/test_create.py and test_idempotency_concurrency.py test it through the endpoint)."""

from __future__ import annotations

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from biobank.accounts.models import IdempotencyKey
from biobank.api.idempotency import idempotent, request_fingerprint
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


class Echo(APIView):
    """Answers the status asked in the body and counts its runs."""

    runs = 0

    def post(self, request):
        return idempotent(request, lambda: self._run(request))

    def _run(self, request):
        type(self).runs += 1
        return Response({"run": type(self).runs, "b": 1, "a": 2}, status=request.data["status"])


def _post(user, body, key="k"):
    request = APIRequestFactory().post("/echo/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    force_authenticate(request, user=user)
    response = Echo.as_view()(request)
    if isinstance(response, Response):  # a replay is a plain HttpResponse, already rendered
        response.render()
    return response


def test_a_success_is_replayed_byte_for_byte_with_its_key_order():
    user = UserFactory()
    first = _post(user, {"status": 201})
    again = _post(user, {"status": 201})

    assert first.content == again.content == b'{"run":1,"b":1,"a":2}'
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"


def test_an_answer_that_is_not_a_success_keeps_no_key():
    user = UserFactory()
    refused = _post(user, {"status": 409})
    retried = _post(user, {"status": 201})

    assert (refused.status_code, retried.status_code) == (409, 201)
    assert retried.content != refused.content and not retried.has_header("Idempotent-Replayed")
    assert IdempotencyKey.objects.get().response_status == 201


def test_the_fingerprint_ignores_key_order_and_spacing_but_not_the_path():
    factory = APIRequestFactory()

    def fingerprint(path, raw):
        from rest_framework.parsers import JSONParser
        from rest_framework.request import Request

        return request_fingerprint(
            Request(factory.post(path, raw, content_type="application/json"), parsers=[JSONParser()])
        )

    assert fingerprint("/a/", '{"x": 1, "y": [1, 2]}') == fingerprint("/a/", '{"y":[1,2],"x":1}')
    assert fingerprint("/a/", '{"x": 1}') != fingerprint("/b/", '{"x": 1}')
    assert fingerprint("/a/", '{"x": 1}') != fingerprint("/a/", '{"x": 2}')
