"""Reading the court side of a caseload: the day's open cases, most urgent first."""

from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import F, OuterRef, QuerySet, Subquery, Value, When
from django.utils import timezone

from casework.cases.choices import ContactOutcome
from casework.cases.lifecycles import SupportStatus
from casework.cases.models import Case, ContactLogEntry

from . import rights
from .choices import EntitlementStatus, HearingStatus, RightState, VictimRight
from .models import CourtEvent, Entitlement
from .victims_code import enhanced_rights

RISK_ORDER = CaseWhen(
    When(risk_level="high", then=Value(0)),
    When(risk_level="medium", then=Value(1)),
    default=Value(2),
)


def caseload(cases: "QuerySet[Case]") -> "QuerySet[Case]":
    """Open cases with what matters for the day, most urgent first, in one query."""
    now = timezone.now()
    today = timezone.localdate()
    next_court = (
        CourtEvent.objects.filter(
            case=OuterRef("pk"), status=HearingStatus.LISTED, starts_at__gte=now
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    open_entitlements = Entitlement.objects.filter(
        case=OuterRef("pk"), status=EntitlementStatus.OPEN
    )
    overdue = open_entitlements.filter(due_on__lt=today).order_by("due_on").values("due_on")[:1]
    next_due = open_entitlements.order_by("due_on").values("due_on")[:1]
    last_success = (
        ContactLogEntry.objects.filter(
            case=OuterRef("pk"),
            outcome__in=[ContactOutcome.REACHED, ContactOutcome.MET_IN_PERSON],
        )
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return (
        cases.exclude(support_status=SupportStatus.CLOSED)
        .select_related("client")
        .annotate(
            next_court_date=Subquery(next_court),
            next_overdue_entitlement=Subquery(overdue),
            next_entitlement_due=Subquery(next_due),
            last_successful_contact=Subquery(last_success),
            risk_order=RISK_ORDER,
        )
        .order_by(
            F("next_overdue_entitlement").asc(nulls_last=True),
            F("next_entitlement_due").asc(nulls_last=True),
            "risk_order",
            F("next_court_date").asc(nulls_last=True),
            F("last_successful_contact").asc(nulls_first=True),
            "id",
        )
    )


def case_rights(case: Case) -> dict[str, Any]:
    """Every tracked right of the Victims' Code on ``case``, in the Code's order: its state
    today (the worst of its entitlements: overdue, then due, then met; not applicable when none
    arose or none applies) and the entitlements behind it."""
    today = timezone.localdate()
    by_right: dict[str, list[Entitlement]] = {right: [] for right in VictimRight.values}
    for entitlement in (
        Entitlement.objects.filter(case=case)
        .select_related("decision")
        .order_by("triggered_on", "created_at")
    ):
        by_right[entitlement.right].append(entitlement)
    rows = []
    for right, entitlements in by_right.items():
        states = {
            rights.state(e, today=today, justice_stage=case.justice_stage) for e in entitlements
        }
        state = next(
            (s for s in (RightState.OVERDUE, RightState.DUE, RightState.MET) if s in states),
            RightState.NOT_APPLICABLE,
        )
        rows.append(
            {
                "right": right,
                "paragraph": rights.PARAGRAPH[right],
                "state": state,
                "triggered": bool(entitlements),
                "entitlements": entitlements,
            }
        )
    return {"enhanced": enhanced_rights(case), "rights": rows}
