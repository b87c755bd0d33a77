"""Reading a case's support plan as it stands."""

from datetime import date
from typing import Any

from casework.cases.models import Case

from .choices import SafetyItemStatus
from .models import NeedRecord, RiskAssessment, SafetyPlanRevision


def current_plan(case: Case) -> dict[str, list[Any]]:
    """The plan as it stands: the latest record per need, the latest revision per safety item
    (removed items left out), and the assessments newest first."""
    needs: dict[str, NeedRecord] = {}
    for record in NeedRecord.objects.filter(case=case).select_related("recorded_by").order_by("id"):
        needs[record.need] = record
    items = []
    revisions = (
        SafetyPlanRevision.objects.filter(item__case=case)
        .select_related("recorded_by", "item")
        .order_by("item_id", "-id")
        .distinct("item_id")
    )
    for revision in revisions:
        if revision.status != SafetyItemStatus.REMOVED:
            items.append(revision)
    items.sort(key=lambda r: (r.review_on is None, r.review_on or date.max))
    assessments = list(RiskAssessment.objects.filter(case=case).select_related("assessor")[:20])
    return {
        "needs": sorted(needs.values(), key=lambda r: r.need),
        "safety_plan": items,
        "risk_assessments": assessments,
    }
