"""The case police must never see more of than consent allows, and the calls that share it:
consent decisions go through the charity's API as a caseworker records them."""

from datetime import date, timedelta

from django.utils import timezone

from casework.cases.models import Case
from casework.cases.services.contacts import note_add

from ...factories import CaseFactory, ClientFactory, ContactLogEntryFactory, ContactMethodFactory

PSEUDONYM = "Marigold Quill"
LEGAL_NAME = "Theodora Vance-Pemberton"
DATE_OF_BIRTH = date(1994, 3, 2)
PHONE = "07700 900461"
PHONE_E164 = "+447700900461"
PHONE_NATIONAL = "07700900461"
EMAIL = "marigold.quill@example.net"
INTERNAL_NOTE = "Internal only: staying at the Larkspur hostel"
CONTACT_NOTE = "Rang from the payphone outside Larkspur"
AREA = "Leeds city centre"
INCIDENT_AREA = "Under the Larkspur arches by the taxi rank"

SHARED = "/api/v1/shared-cases/"


def open_case(caseworker) -> Case:
    """A case with everything police must not see: contact methods, an internal note, a contact
    log entry, a risk level and where it happened in the charity's own words."""
    organisation = caseworker.organisation
    organisation.areas = [AREA, "Harehills"]
    organisation.save(update_fields=["areas"])
    client = ClientFactory(
        created_by=caseworker,
        pseudonym=PSEUDONYM,
        legal_name=LEGAL_NAME,
        date_of_birth=DATE_OF_BIRTH,
        pronouns="she/her",
        languages=["English", "Romanian"],
    )
    mobile = ContactMethodFactory(
        client=client, kind="mobile", value=PHONE, preferred=True, safe_to_text=True
    )
    ContactMethodFactory(client=client, kind="email", value=EMAIL)
    case = CaseFactory(
        client=client,
        opened_by=caseworker,
        offence_types=["robbery", "physical_assault"],
        incident_date=timezone.localdate() - timedelta(days=10),
        incident_area=INCIDENT_AREA,
        area=AREA,
        risk_level="high",
    )
    note_add(case=case, author=caseworker, body=INTERNAL_NOTE, visibility="internal")
    ContactLogEntryFactory(
        case=case,
        occurred_at=timezone.now() - timedelta(hours=1),
        direction="inbound",
        outcome="reached",
        contact_method=mobile,
        note=CONTACT_NOTE,
    )
    return case


def consent(api, case, scope, granted=True, force=None, **extra):
    body = {"scope": scope, "granted": granted, "method": "verbal", **extra}
    if force is not None:
        body["police_force"] = str(force.id)
    response = api.post(f"/api/v1/cases/{case.id}/consents/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def withdraw(api, case, force, **extra):
    return consent(api, case, "share_with_police", granted=False, force=force, **extra)


def detail(share) -> str:
    return f"{SHARED}{share.id}/"


def updates(share) -> str:
    return f"{SHARED}{share.id}/updates/"


def involvement(share) -> str:
    return f"{SHARED}{share.id}/police-involvement/"


def listed(api) -> list[dict]:
    response = api.get(SHARED)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def post_update(api, share, kind="investigation", body="Suspect interviewed under caution."):
    return api.post(updates(share), {"kind": kind, "body": body}, format="json")


def timeline(api, case) -> list[dict]:
    response = api.get(f"/api/v1/cases/{case.id}/timeline/?page_size=100")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def assert_absent(raw: bytes, *needles: str) -> None:
    text = raw.decode()
    for needle in needles:
        assert needle.lower() not in text.lower(), f"{needle!r} leaked into {text}"
