"""One error shape for every 4xx and 5xx, and no detail leaked from a 500."""

import pytest
from django.conf import settings
from django.urls import path
from rest_framework.views import APIView

from permissions.policies import Public

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def assert_error_shape(body: dict, code: str) -> None:
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert "request_id" in body


def test_malformed_json_is_a_400_in_the_error_shape(as_supervisor):
    response = as_supervisor.generic(
        "POST", "/api/v1/staff/", '{"username": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert_error_shape(response.json(), "parse_error")


def test_wrong_content_type_is_a_415(as_supervisor):
    response = as_supervisor.generic(
        "POST", "/api/v1/staff/", "username=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert_error_shape(response.json(), "unsupported_media_type")


def test_unknown_url_is_a_json_404(as_supervisor):
    response = as_supervisor.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert_error_shape(response.json(), "not_found")


def test_method_not_allowed_uses_the_error_shape(as_supervisor):
    response = as_supervisor.delete("/api/v1/me/")
    assert response.status_code == 405
    assert_error_shape(response.json(), "method_not_allowed")


class Exploding(APIView):
    authentication_classes = []
    permission_classes = [Public]

    def get(self, request):
        raise RuntimeError("SELECT secret FROM clients WHERE name = 'Jane'")


def exploding_plain_view(request):
    raise RuntimeError("SELECT secret FROM clients WHERE name = 'Jane'")


urlpatterns = [path("boom/", Exploding.as_view()), path("plain-boom/", exploding_plain_view)]
handler500 = "api.errors.handler500"


def test_the_project_urlconf_uses_the_json_error_handlers():
    from django.urls import get_resolver

    from api import errors

    resolver = get_resolver(settings.ROOT_URLCONF)
    for status in (400, 403, 404, 500):
        assert resolver.resolve_error_handler(status) is getattr(errors, f"handler{status}")


@pytest.mark.urls("tests.api.test_errors")
@pytest.mark.parametrize("url", ["/boom/", "/plain-boom/"])
def test_a_server_error_discloses_nothing(client, url, caplog):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 500
    body = response.json()
    assert_error_shape(body, "server_error")
    assert "SELECT" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert body["request_id"] == response["X-Request-ID"]


def test_validation_errors_carry_messages_per_field(as_supervisor):
    response = as_supervisor.post(
        "/api/v1/staff/", {"username": "", "email": "not-an-address", "role": "wizard"}
    )
    assert response.status_code == 400
    body = response.json()
    assert_error_shape(body, "validation_error")
    assert set(body["fields"]) >= {"username", "email", "role"}


def test_api_responses_are_never_cached(caseworker):
    response = client_for(caseworker).get("/api/v1/me/")
    assert response["Cache-Control"] == "no-store"


def test_a_plain_request_id_from_the_caller_is_kept_and_a_hostile_one_replaced(caseworker):
    client = client_for(caseworker)
    kept = client.get("/api/v1/me/", HTTP_X_REQUEST_ID="proxy-1234abcd")
    assert kept["X-Request-ID"] == "proxy-1234abcd"
    replaced = client.get("/api/v1/me/", HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b")
    assert "Set-Cookie" not in replaced["X-Request-ID"]
