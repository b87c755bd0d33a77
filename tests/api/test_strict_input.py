"""Input that could be read two ways is refused: unknown fields (sign-in, organisations, staff
and API keys included), booleans that are not JSON booleans, a JSON key given twice, NaN, a
query parameter given twice where a route takes one, and a body over the limit (413). The
ambiguous ones are security events; nothing is written by any of them."""

import io
import json

import pytest

from casework.audit.models import AuditEvent
from casework.clients.models import Client

from ..conftest import Api

pytestmark = pytest.mark.django_db


def post_raw(api, path: str, body: str):
    return api.generic("POST", path, body.encode(), content_type="application/json")


def security(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


@pytest.mark.parametrize("value", ["true", "yes", 1, "1", "on"])
def test_a_boolean_must_be_a_json_boolean(as_caseworker, value):
    response = as_caseworker.post(
        "/api/v1/clients/",
        {"pseudonym": "Wren", "interpreter_needed": value, "interpreter_language": "Polish"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert response.json()["fields"]["interpreter_needed"] == ["Must be true or false."]
    assert not Client.objects.exists()


def test_a_json_boolean_is_taken(as_caseworker):
    response = as_caseworker.post(
        "/api/v1/clients/",
        {"pseudonym": "Wren", "interpreter_needed": True, "interpreter_language": "Polish"},
        format="json",
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    "who,path,body",
    [
        ("anonymous", "/api/v1/auth/login/", {"username": "x", "password": "y", "admin": True}),
        (
            "superuser",
            "/api/v1/organisations/",
            {"name": "N", "code": "NN", "kind": "charity", "is_active": True, "areas": ["x"]},
        ),
        (
            "supervisor",
            "/api/v1/staff/",
            {
                "username": "new",
                "email": "new@example.org",
                "role": "caseworker",
                "is_superuser": True,
            },
        ),
        (
            "supervisor",
            "/api/v1/api-keys/",
            {"name": "k", "scopes": ["referrals:write"], "hashed_key": "x"},
        ),
    ],
    ids=["sign-in", "organisations", "staff", "api-keys"],
)
def test_account_inputs_refuse_fields_they_do_not_know(
    who, path, body, as_superuser, as_supervisor
):
    api = {"anonymous": Api(), "superuser": as_superuser, "supervisor": as_supervisor}[who]
    response = api.post(path, body, format="json")
    assert response.status_code == 400, response.json()
    known = {"username", "password", "email", "name", "code", "kind", "role", "scopes"}
    unknown = set(body) - known
    assert unknown <= set(response.json()["fields"])


def test_a_key_given_twice_is_refused_and_is_a_security_event(as_caseworker):
    response = post_raw(
        as_caseworker, "/api/v1/clients/", '{"pseudonym": "Wren", "pseudonym": "Robin"}'
    )
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_key"
    assert not Client.objects.exists()
    [event] = security("security.ambiguous_input")
    assert event.detail["code"] == "duplicate_key"
    assert "Wren" not in json.dumps(event.detail) and "Robin" not in json.dumps(event.detail)


def test_a_key_given_twice_in_a_nested_object_is_refused(as_caseworker):
    body = (
        '{"source": "outreach", "summary": "s", "contact_safe_times": '
        '[{"days": ["mon"], "from": "09:00", "from": "10:00", "to": "11:00"}]}'
    )
    response = post_raw(as_caseworker, "/api/v1/referrals/", body)
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_key"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_numbers_json_does_not_allow_are_refused(as_caseworker, constant):
    response = post_raw(
        as_caseworker, "/api/v1/clients/", f'{{"pseudonym": "Wren", "languages": {constant}}}'
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_number"


def test_a_body_over_the_limit_answers_413_before_it_is_read(settings, as_caseworker):
    settings.API_MAX_BODY_BYTES = 1000
    response = as_caseworker.post(
        "/api/v1/clients/", {"pseudonym": "Wren", "pronouns": "x" * 2000}, format="json"
    )
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "request_too_large"
    assert set(body) == {"code", "message", "request_id"}
    assert not Client.objects.exists()
    [event] = security("security.oversized")
    assert event.detail["status"] == 413


def test_the_parser_reads_no_more_than_the_limit_whatever_length_was_declared(settings):
    from api.parsers import BodyTooLarge, StrictJSONParser

    settings.API_MAX_BODY_BYTES = 100
    stream = io.BytesIO(b'{"pseudonym": "' + b"x" * 500 + b'"}')
    with pytest.raises(BodyTooLarge):
        StrictJSONParser().parse(stream, "application/json", {})


def test_a_parameter_given_twice_is_refused_where_the_route_takes_one(as_caseworker):
    response = as_caseworker.get("/api/v1/cases/?reference=POW&reference=NUM")
    assert response.status_code == 400
    assert response.json()["code"] == "repeated_parameter"
    assert "reference" in response.json()["message"]
    caseload = as_caseworker.get("/api/v1/caseload/?scope=mine&scope=organisation")
    assert caseload.status_code == 400
    assert security("security.ambiguous_input")


def test_a_list_filter_takes_a_parameter_more_than_once(as_caseworker):
    response = as_caseworker.get("/api/v1/cases/?support_status=active&support_status=paused")
    assert response.status_code == 200, response.json()
