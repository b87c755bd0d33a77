"""Reading the court side of a case, narrowed first to what the caller may see (or change):
hearings, justice decisions, Victims' Code entitlements with their due and overdue states, and
the day's caseload, most urgent first."""

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.utils import timezone

from casework.accounts.models import User
from casework.accounts.principals import Principal
from casework.cases.lifecycles import SupportStatus
from casework.cases.models import Case
from casework.cases.selectors import assigned_case_ids, assigned_to, visible_cases
from casework.clients.models import Client
from casework.core.access import visible_to

from . import rights
from .choices import EntitlementStatus, HearingStatus, RightState, VictimRight
from .models import CourtEvent, Entitlement, JusticeDecision
from .victims_code import enhanced_rights

RISK_ORDER = CaseWhen(
    When(risk_level="high", then=Value(0)),
    When(risk_level="medium", then=Value(1)),
    default=Value(2),
)


def court_events(
    *, principal: Principal, case: Case, action: str = "view"
) -> "QuerySet[CourtEvent]":
    """The case's hearings with who attends and how their dates moved."""
    return (
        visible_to(CourtEvent.objects.all(), principal, action=action)
        .filter(case_id=case.pk)
        .prefetch_related("attendees", "date_changes__changed_by")
    )


def justice_decisions(
    *, principal: Principal, case: Case, action: str = "view"
) -> "QuerySet[JusticeDecision]":
    return (
        visible_to(JusticeDecision.objects.all(), principal, action=action)
        .filter(case_id=case.pk)
        .select_related("entitlement")
    )


# The states an entitlement list can be narrowed to: two computed from the due date (overdue,
# due soon) beside the two stored ones.
ENTITLEMENT_STATES = ("overdue", "due_soon", EntitlementStatus.OPEN, EntitlementStatus.MET)


def entitlements(
    *,
    principal: Principal,
    action: str = "view",
    state: str | None = None,
    assigned_to_person: User | None = None,
) -> "QuerySet[Entitlement]":
    """Entitlements of the caller's cases, each marked ``overdue`` (open past its due date);
    ``state`` (one of ``ENTITLEMENT_STATES``) narrows them: ``due_soon`` is open and due within
    ``VICTIMS_CODE_DUE_SOON_DAYS``. ``assigned_to_person`` keeps the cases they are assigned."""
    today = timezone.localdate()
    queryset = (
        visible_to(Entitlement.objects.all(), principal, action=action)
        .select_related("case", "decision")
        .annotate(
            overdue=ExpressionWrapper(
                # A right with no period of days (no due date) is never overdue by date: without
                # the isnull test the comparison would answer NULL, not false.
                Q(status=EntitlementStatus.OPEN, due_on__isnull=False, due_on__lt=today),
                output_field=BooleanField(),
            )
        )
    )
    if state == "overdue":
        queryset = queryset.filter(status=EntitlementStatus.OPEN, due_on__lt=today)
    elif state == "due_soon":
        horizon = today + timedelta(days=settings.VICTIMS_CODE_DUE_SOON_DAYS)
        queryset = queryset.filter(
            status=EntitlementStatus.OPEN, due_on__gte=today, due_on__lte=horizon
        )
    elif state in (EntitlementStatus.OPEN, EntitlementStatus.MET):
        queryset = queryset.filter(status=state)
    elif state is not None:
        raise ValueError(f"Unknown entitlement state {state!r}.")
    if assigned_to_person is not None:
        queryset = queryset.filter(case_id__in=assigned_case_ids(assigned_to_person.pk))
    return queryset


CASELOAD_ROW = (
    "id",
    "reference",
    "client_id",
    "client__pseudonym",
    "support_status",
    "justice_stage",
    "risk_level",
    "next_court_date",
    "next_overdue_entitlement",
    "next_entitlement_due",
    "last_successful_contact",
)


def caseload(
    *,
    principal: Principal,
    assigned_to_id: uuid.UUID | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The open cases of ``assigned_to_id`` among the caller's (all of the caller's where
    ``None``), with what matters for the day, most urgent first: rows of ``CASELOAD_ROW``,
    ``limit`` of them from the ``offset``-th.

    Two statements: the page of cases in order, then their clients' pseudonyms, so that the
    clients are read for the page alone and not for every open case being put in order."""
    cases = visible_cases(principal=principal)
    if assigned_to_id is not None:
        cases = assigned_to(cases, assigned_to_id)
    rows = list(
        urgent_first(cases).values(*(f for f in CASELOAD_ROW if f != "client__pseudonym"))[
            offset : offset + limit
        ]
    )
    pseudonyms = dict(
        Client.objects.filter(pk__in={row["client_id"] for row in rows}).values_list(
            "pk", "pseudonym"
        )
    )
    return [{**row, "client__pseudonym": pseudonyms[row["client_id"]]} for row in rows]


def urgent_first(cases: "QuerySet[Case]") -> "QuerySet[Case]":
    """Open cases with what matters for the day, most urgent first, in one query: an overdue
    Victims' Code entitlement (the longest overdue first), then the soonest due, then risk, the
    next hearing, and the longest since the client was last reached (never, first).

    The first two keys come from one lookup of the earliest open entitlement: an overdue one is
    always earlier than any not yet due, so ordering by it orders by both."""
    now = timezone.now()
    today = timezone.localdate()
    next_court = (
        CourtEvent.objects.filter(
            case=OuterRef("pk"), status=HearingStatus.LISTED, starts_at__gte=now
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    next_due = (
        Entitlement.objects.filter(case=OuterRef("pk"), status=EntitlementStatus.OPEN)
        .order_by(F("due_on").asc(nulls_last=True))
        .values("due_on")[:1]
    )
    return (
        cases.exclude(support_status=SupportStatus.CLOSED)
        .annotate(
            next_court_date=Subquery(next_court),
            next_entitlement_due=Subquery(next_due),
            next_overdue_entitlement=CaseWhen(
                When(next_entitlement_due__lt=today, then=F("next_entitlement_due")),
                default=None,
                output_field=DateField(),
            ),
            last_successful_contact=F("last_reached_at"),
            risk_order=RISK_ORDER,
        )
        .order_by(
            F("next_entitlement_due").asc(nulls_last=True),
            "risk_order",
            F("next_court_date").asc(nulls_last=True),
            F("last_successful_contact").asc(nulls_first=True),
            "id",
        )
    )


def case_rights(*, principal: Principal, case: Case) -> dict[str, Any]:
    """Every tracked right of the Victims' Code on ``case``, in the Code's order: its state
    today (the worst of its entitlements: overdue, then due, then met; not applicable when none
    arose or none applies) and the entitlements behind it."""
    today = timezone.localdate()
    by_right: dict[str, list[Entitlement]] = {right: [] for right in VictimRight.values}
    for entitlement in (
        visible_to(Entitlement.objects.all(), principal)
        .filter(case_id=case.pk)
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
