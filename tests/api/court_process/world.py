"""What every test of the court process starts from: the UK clock, cases at a justice stage, and
the calls that record decisions and list hearings."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from casework.cases.models import Case
from casework.court.services import record_decision

from ...conftest import client_for
from ...factories import CaseFactory

LONDON = ZoneInfo("Europe/London")

PSEUDONYM = "Marigold Quill"
LEGAL_NAME = "Theodora Vance-Pemberton"
PHONE = "07700 900461"
PHONE_E164 = "+447700900461"
PHONE_NATIONAL = "07700900461"

MAGISTRATES = "Leeds Magistrates' Court"
CROWN = "Leeds Crown Court"


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


TODAY = at(2027, 1, 6)  # Wednesday 6 January 2027


def move(clock, moment: datetime, *users):
    """Moves the clock and signs the people in again (a sign-in token idles out in 30 minutes)."""
    clock.move_to(moment)
    return [client_for(user) for user in users]


def open_case(
    owner,
    *,
    offences=("rape",),
    flags=(),
    assigned=(),
    pseudonym="Wren",
    stage=None,
    **extra,
) -> Case:
    """A case of ``offences``, its client vulnerable for ``flags``, set at a justice ``stage``
    without going through the lifecycle (what is proved here starts from that stage)."""
    case = CaseFactory(
        opened_by=owner,
        pseudonym=pseudonym,
        client__vulnerability_flags=list(flags),
        offence_types=list(offences),
        assigned_to=list(assigned),
        **extra,
    )
    if stage is not None:
        Case.objects.filter(pk=case.pk).update(justice_stage=stage)
        case.refresh_from_db()
    return case


def decide(case, decided_on: date, *, kind="arrest", told_on: date | None = None):
    return record_decision(
        case=case,
        transition=None,
        kind=kind,
        decided_on=decided_on,
        client_told_on=told_on,
        actor=case.created_by,
    )


def close(case) -> None:
    Case.objects.filter(pk=case.pk).update(support_status="closed", closed_at=timezone.now())


def case_url(case, tail: str = "") -> str:
    return f"/api/v1/cases/{getattr(case, 'pk', case)}/{tail}"


def hearings_url(case) -> str:
    return case_url(case, "court-events/")


def decisions_url(case) -> str:
    return case_url(case, "decisions/")


def transition(api, case, to: str, decision: dict | None = None, lifecycle: str = "justice"):
    body = {"lifecycle": lifecycle, "to": to, "reason": "As the officer in the case told us."}
    if decision is not None:
        body["decision"] = decision
    return api.post(case_url(case, "transitions/"), body)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def assert_refused(response, field: str, status: int = 400) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "message", "fields", "request_id"}
    assert body["code"] == "validation_error"
    assert field in body["fields"], body


def hearing_body(starts_at: datetime, **extra) -> dict:
    return {
        "hearing_type": "first_hearing",
        "court": MAGISTRATES,
        "starts_at": starts_at.isoformat(),
        **extra,
    }
