"""Everything under /api/ answers errors in the one documented shape, whatever produced them: an
unrouted path, a method refused, a body Django refuses, an exception outside any view, and
with debugging on too (a debug page would show settings and code to an API client)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SHAPE = {"code", "message", "request_id"}


def assert_shaped(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == SHAPE, body
    assert body["code"] == code
    assert body["request_id"] == response["X-Request-ID"]
    return body


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/0.5/",
        "/api/v1/audit-events/x/",
        "/api/v1/no-such-resource/",
        "/api/v1/cases/a/b/c/d/",
        "/api/v2/cases/",
    ],
)
def test_a_path_no_route_matches_answers_the_error_shape(debug, as_supervisor, path):
    assert_shaped(as_supervisor.get(path), 404, "not_found")


def test_an_unrouted_path_answers_the_error_shape_without_credentials_too(debug):
    assert_shaped(Client().get("/api/v1/cases/0.5/"), 404, "not_found")


def test_a_method_a_route_does_not_take_answers_the_error_shape_with_allow(debug, as_caseworker):
    response = as_caseworker.delete("/api/v1/cases/")
    assert_shaped(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_a_body_that_is_not_json_answers_the_error_shape(debug, as_caseworker):
    response = as_caseworker.post(
        "/api/v1/clients/", data="{not json", content_type="application/json"
    )
    assert_shaped(response, 400, "parse_error")


def test_a_body_of_a_type_the_api_does_not_take_answers_the_error_shape(debug, as_caseworker):
    response = as_caseworker.post(
        "/api/v1/clients/", data={"pseudonym": "Wren"}, format="multipart"
    )
    assert_shaped(response, 415, "unsupported_media_type")


class Exploding:
    """A middleware that fails before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise RuntimeError("a part of the stack failed")


def test_an_exception_outside_any_view_answers_the_error_shape_and_says_nothing_of_it(
    debug, settings
):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.Exploding"]
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/me/")
    body = assert_shaped(response, 500, "server_error")
    assert "a part of the stack failed" not in response.content.decode()
    assert "Traceback" not in body["message"]


def test_pages_outside_the_api_keep_their_own_answers(settings):
    settings.DEBUG = False
    response = Client().get("/admin/no-such-page/")
    assert response.status_code in (302, 404)
