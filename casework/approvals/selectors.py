"""Reading proposals, narrowed first to what the caller may see (or change): a supervisor every
proposal of their organisation, anyone else the proposals they made."""

from django.db.models import QuerySet

from casework.accounts.principals import Principal
from casework.core.access import visible_to

from .models import Approval


def approvals(*, principal: Principal, action: str = "view") -> "QuerySet[Approval]":
    return visible_to(Approval.objects.all(), principal, action=action).select_related(
        "proposed_by", "decided_by", "case"
    )
