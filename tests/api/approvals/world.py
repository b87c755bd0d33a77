"""Proposals and decisions through the API, as supervisors and staff make them."""

from ...conftest import Api

APPROVALS = "/api/v1/approvals/"
REASON = "She says he has a knife and knows where she sleeps; he made threats to kill on Friday."


def overrides_url(case) -> str:
    return f"/api/v1/cases/{case.id}/consent-overrides/"


def propose_override(api: Api, case, force, **extra):
    body = {"police_force": str(force.id), "ground": "risk_to_life", "reason": REASON, **extra}
    return api.post(overrides_url(case), body, format="json")


def proposed(api: Api, case, force, **extra) -> dict:
    response = propose_override(api, case, force, **extra)
    assert response.status_code == 201, response.json()
    return response.json()


def approval_url(approval: dict | str, verb: str = "") -> str:
    pk = approval["id"] if isinstance(approval, dict) else approval
    return f"{APPROVALS}{pk}/" + (f"{verb}/" if verb else "")


def approve(api: Api, approval):
    return api.post(approval_url(approval, "approve"), format="json")


def reject(api: Api, approval, **body):
    return api.post(approval_url(approval, "reject"), body, format="json")


def withdraw(api: Api, approval):
    return api.post(approval_url(approval, "withdraw"), format="json")
