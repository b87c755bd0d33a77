"""A scenario on the demo data: staff of two charities, signing in for real, each trying to
reach the other charity's records by id."""

import pytest
from django.core.management import call_command

from casework.cases.models import Case, ContactLogEntry, Note, Referral
from casework.clients.models import Client, ContactMethod

from ..conftest import Api

# Each test seeds the whole demo world first: seconds apiece.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PASSWORD = "a-long-sample-passphrase-for-tests"


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def login(username: str) -> Api:
    client = Api()
    response = client.post("/api/v1/auth/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def other_charity_urls(code: str) -> list[str]:
    case = Case.objects.filter(organisation__code=code).first()
    client = case.client
    method = ContactMethod.objects.filter(client=client).first()
    contact = ContactLogEntry.objects.filter(case=case).first()
    note = Note.objects.filter(case=case).first()
    referral = Referral.objects.filter(organisation__code=code).first()
    return [
        f"/api/v1/cases/{case.id}/",
        f"/api/v1/cases/{case.id}/timeline/",
        f"/api/v1/cases/{case.id}/transitions/",
        f"/api/v1/cases/{case.id}/contacts/",
        f"/api/v1/cases/{case.id}/contacts/{contact.id}/",
        f"/api/v1/cases/{case.id}/notes/",
        f"/api/v1/cases/{case.id}/notes/{note.id}/",
        f"/api/v1/clients/{client.id}/",
        f"/api/v1/clients/{client.id}/contact-methods/",
        f"/api/v1/clients/{client.id}/contact-methods/{method.id}/",
        f"/api/v1/referrals/{referral.id}/",
    ]


@pytest.mark.parametrize(
    "username,foreign",
    [
        ("demo.caseworker", "NOT"),
        ("demo.isva", "NOT"),
        ("demo.supervisor", "NOT"),
        ("north.caseworker", "DEMO"),
        ("north.supervisor", "DEMO"),
    ],
)
def test_nobody_reaches_another_charitys_records_by_id(demo, username, foreign):
    client = login(username)
    for url in other_charity_urls(foreign):
        response = client.get(url)
        assert response.status_code == 404, (username, url, response.status_code)
        assert response.json()["code"] == "not_found"
    case = Case.objects.filter(organisation__code=foreign).first()
    before = (
        case.version,
        Note.objects.filter(case=case).count(),
        case.client.contact_methods.count(),
    )
    writes = [
        (f"/api/v1/cases/{case.id}/", "patch", {"risk_level": "high"}),
        (
            f"/api/v1/cases/{case.id}/transitions/",
            "post",
            {"lifecycle": "support", "to": "closed", "reason": "x", "closure_reason": "other"},
        ),
        (f"/api/v1/cases/{case.id}/notes/", "post", {"body": "cross-charity note"}),
        (
            f"/api/v1/clients/{case.client_id}/contact-methods/",
            "post",
            {"kind": "mobile", "value": "07700 900999"},
        ),
    ]
    for url, method, body in writes:
        response = getattr(client, method)(url, body)
        assert response.status_code == 404, (username, url, response.status_code)
    case.refresh_from_db()
    after = (
        case.version,
        Note.objects.filter(case=case).count(),
        case.client.contact_methods.count(),
    )
    assert after == before


@pytest.mark.parametrize("username", ["demo.caseworker", "demo.isva", "demo.supervisor"])
def test_lists_hold_only_the_callers_charitys_records(demo, username):
    client = login(username)
    own = set(map(str, Case.objects.filter(organisation__code="DEMO").values_list("id", flat=True)))
    listed = {row["id"] for row in client.get("/api/v1/cases/?page_size=100").json()["results"]}
    assert listed and listed <= own
    clients = {row["id"] for row in client.get("/api/v1/clients/?page_size=100").json()["results"]}
    own_clients = set(
        map(str, Client.objects.filter(organisation__code="DEMO").values_list("id", flat=True))
    )
    assert clients and clients <= own_clients


def test_roles_see_what_their_assignments_give_them(demo):
    supervisor = login("demo.supervisor")
    caseworker = login("demo.caseworker")
    isva = login("demo.isva")
    everything = supervisor.get("/api/v1/cases/?page_size=100").json()["results"]
    assert len(everything) == Case.objects.filter(organisation__code="DEMO").count()
    isva_cases = isva.get("/api/v1/cases/?page_size=100").json()["results"]
    assert 0 < len(isva_cases) < len(everything)
    for row in isva_cases:
        assert "demo.isva" in {a["user"]["username"] for a in row["assignments"]}
    mine = caseworker.get("/api/v1/cases/?assigned_to=me&page_size=100").json()["results"]
    assert {r["id"] for r in mine} == {
        r["id"] for r in caseworker.get("/api/v1/cases/?page_size=100").json()["results"]
    }


def test_police_see_none_of_the_charity_endpoints(demo):
    police = login("demo.police")
    case = Case.objects.filter(organisation__code="DEMO").first()
    for url in [
        "/api/v1/cases/",
        "/api/v1/clients/",
        "/api/v1/referrals/",
        f"/api/v1/cases/{case.id}/",
        f"/api/v1/clients/{case.client_id}/",
    ]:
        assert police.get(url).status_code == 403, url
