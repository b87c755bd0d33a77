"""Reading contact requests, narrowed first to what the caller may see (or change): the case's
staff read them on the case, the sharing force on its share while the share lasts."""

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db.models import Exists, OuterRef, Q, QuerySet, UUIDField, Value

from casework.accounts.principals import Principal
from casework.cases.models import Case
from casework.core.access import visible_to
from casework.sharing.choices import ConsentScope
from casework.sharing.models import ConsentDecision, SharedCase

from .choices import ContactRequestStatus
from .models import ContactRequest


def _direct_contact_withdrawn() -> Exists:
    """Whether the client has since refused the direct contact an agreement granted: a refusal
    of ``police_may_contact_directly`` for the force, recorded after the agreement's grant."""
    return Exists(
        ConsentDecision.objects.filter(
            case_id=OuterRef("case_id"),
            scope=ConsentScope.POLICE_MAY_CONTACT_DIRECTLY,
            police_force_id=OuterRef("shared_case__police_force_id"),
            granted=False,
            id__gt=OuterRef("consent_decision_id"),
        )
    )


def case_contact_requests(
    *, principal: Principal, case: Case, action: str = "view"
) -> "QuerySet[ContactRequest]":
    """A case's requests as its staff read them: which force and officer asked, and the answer."""
    return (
        visible_to(ContactRequest.objects.all(), principal, action=action)
        .filter(case_id=case.pk)
        .select_related(
            "shared_case__police_force",
            "shared_case__case__organisation",
            "requested_by",
            "answered_by",
            "contact_method",
            "consent_decision",
        )
        .annotate(direct_contact_withdrawn=_direct_contact_withdrawn())
    )


def share_contact_requests(
    *, principal: Principal, share: SharedCase, action: str = "view"
) -> "QuerySet[ContactRequest]":
    """A share's requests as the force reads them; what it is shown of each answer is
    ``services.answer_told_to_force``'s to say."""
    return (
        visible_to(ContactRequest.objects.all(), principal, action=action)
        .filter(shared_case_id=share.pk)
        .select_related("shared_case__case__organisation", "contact_method")
        .annotate(direct_contact_withdrawn=_direct_contact_withdrawn())
    )


def with_closed_contact_requests(*, shares: "QuerySet[SharedCase]") -> "QuerySet[SharedCase]":
    """Ended shares (already narrowed to the caller's force) with the ids of the requests closed
    when each ended: all the force learns of them, in the same query."""
    return shares.annotate(
        closed_contact_requests=ArrayAgg(
            "contact_requests__id",
            filter=Q(contact_requests__status=ContactRequestStatus.CLOSED),
            order_by=("contact_requests__created_at", "contact_requests__id"),
            default=Value([], output_field=ArrayField(UUIDField())),
        )
    )
