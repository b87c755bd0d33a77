"""Reading a case's support plan, as it stands and as it changed, narrowed first to what the
caller may see (or change)."""

import uuid
from datetime import date
from typing import Any

from django.db.models import QuerySet

from casework.accounts.principals import Principal
from casework.cases.models import Case
from casework.core.access import visible_to

from .choices import SafetyItemStatus
from .models import NeedRecord, RiskAssessment, SafetyPlanItem, SafetyPlanRevision


def need_records(*, principal: Principal, case: Case) -> "QuerySet[NeedRecord]":
    """Every record of the case's needs, with who recorded it."""
    return (
        visible_to(NeedRecord.objects.all(), principal)
        .filter(case_id=case.pk)
        .select_related("recorded_by")
    )


def safety_plan_revisions(*, principal: Principal, case: Case) -> "QuerySet[SafetyPlanRevision]":
    """Every revision of the case's safety-plan items, with who recorded it."""
    return (
        visible_to(SafetyPlanRevision.objects.all(), principal)
        .filter(item__case_id=case.pk)
        .select_related("recorded_by")
    )


def safety_item(
    *, principal: Principal, case: Case, item_id: uuid.UUID, action: str = "view"
) -> SafetyPlanItem | None:
    return (
        visible_to(SafetyPlanItem.objects.all(), principal, action=action)
        .filter(case_id=case.pk, pk=item_id)
        .first()
    )


def current_plan(*, principal: Principal, case: Case) -> dict[str, list[Any]]:
    """The plan as it stands: the latest record per need, the latest revision per safety item
    (removed items left out), and the assessments newest first."""
    needs: dict[str, NeedRecord] = {}
    for record in need_records(principal=principal, case=case).order_by("id"):
        needs[record.need] = record
    items = []
    revisions = (
        safety_plan_revisions(principal=principal, case=case)
        .select_related("item")
        .order_by("item_id", "-id")
        .distinct("item_id")
    )
    for revision in revisions:
        if revision.status != SafetyItemStatus.REMOVED:
            items.append(revision)
    items.sort(key=lambda r: (r.review_on is None, r.review_on or date.max))
    assessments = list(
        visible_to(RiskAssessment.objects.all(), principal)
        .filter(case_id=case.pk)
        .select_related("assessor")[:20]
    )
    return {
        "needs": sorted(needs.values(), key=lambda r: r.need),
        "safety_plan": items,
        "risk_assessments": assessments,
    }
