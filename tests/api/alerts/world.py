"""A case whose client agreed to warn others, and the calls that draft, review and read alerts
as the charity's staff and its subscribers make them."""

from datetime import timedelta

from django.utils import timezone

from ...conftest import Api
from ..police_sharing.world import AREA, consent

OFFENDER_PHONE = "07700 900 123"
OFFENDER_PHONE_E164 = "+447700900123"
OFFENDER_EMAIL = "Dangerous.Punter@Example.com"
WHAT_HAPPENED = (
    "Booked an outcall, refused to pay, then pushed her against the wall and took her cash."
)
DESCRIPTION = "White man, about 40, shaved head, tattoo of a swallow on his left hand."
FEED = "/api/v1/alerts/"
CHECKER = "/api/v1/checker/"
APPROVALS = "/api/v1/approvals/"


def alerts_url(case, pk=None, verb: str = "") -> str:
    url = f"/api/v1/cases/{case.id}/alerts/"
    if pk is not None:
        url += f"{pk}/"
    if verb:
        url += f"{verb}/"
    return url


def agree_to_warn(api: Api, case) -> None:
    consent(api, case, "store_records")
    consent(api, case, "warn_others")


def draft_body(**changes) -> dict:
    body = {
        "what_happened": WHAT_HAPPENED,
        "offender_description": DESCRIPTION,
        "area": AREA,
        "happened_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "identifiers": [
            {"kind": "phone", "value": OFFENDER_PHONE},
            {"kind": "email", "value": OFFENDER_EMAIL},
            {"kind": "vehicle", "value": "yx21 abc"},
        ],
    }
    body.update(changes)
    return body


def draft(api: Api, case, **changes):
    return api.post(alerts_url(case), draft_body(**changes), format="json")


def drafted(api: Api, case, **changes) -> dict:
    response = draft(api, case, **changes)
    assert response.status_code == 201, response.json()
    return response.json()


def submit(api: Api, case, alert: dict):
    return api.post(
        alerts_url(case, alert["id"], "submit"),
        {"reason": "A member was robbed; others should know his number."},
        format="json",
    )


def approve(api: Api, approval: dict):
    return api.post(f"{APPROVALS}{approval['id']}/approve/", format="json")


def published(author: Api, reviewer: Api, case, **changes) -> dict:
    alert = drafted(author, case, **changes)
    response = submit(author, case, alert)
    assert response.status_code == 201, response.json()
    response = approve(reviewer, response.json())
    assert response.status_code == 200, response.json()
    return author.get(alerts_url(case, alert["id"])).json()


def check(api: Api, value: str, kind: str = "phone", end_user: str | None = "member-1"):
    headers = {"HTTP_CHECKER_END_USER": end_user} if end_user else {}
    return api.post(CHECKER, {"kind": kind, "value": value}, format="json", **headers)
