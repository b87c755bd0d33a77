"""Reading referrals, cases and what is logged against them, always narrowed first to what the
caller may see (``action="view"``) or change (``"change"``), so that the API, the console and
any task answer alike."""

import uuid
from typing import Any, TypeVar

from django.db.models import Model, Prefetch, QuerySet

from casework.accounts.principals import Principal
from casework.core.access import visible_to

from .models import Case, CaseAssignment, CaseTransition, ContactLogEntry, Note, Referral

# A case shows its client's pseudonym and its staff's names only: nothing else of theirs is read,
# so no identity field is decrypted to draw a list (ASVS 11.7.2), and less is loaded.
CLIENT_IDENTITY = ("client__legal_name", "client__date_of_birth")
ASSIGNMENT_FIELDS = (
    "id",
    "case_id",
    "role",
    "assigned_at",
    "user__id",
    "user__username",
    "user__first_name",
    "user__last_name",
    "user__role",
)
M = TypeVar("M", bound=Model)


def referrals(*, principal: Principal, action: str = "view") -> "QuerySet[Referral]":
    return visible_to(Referral.objects.all(), principal, action=action)


def referral_replayed(*, pk: uuid.UUID) -> Referral:
    """The referral an earlier request of the same caller created under the same idempotency key
    (the key is scoped to the caller), read back to repeat that request's answer."""
    return Referral.objects.get(pk=pk)


def visible_cases(*, principal: Principal, action: str = "view") -> "QuerySet[Case]":
    """The caller's cases and nothing loaded with them: the parent of a record under a case."""
    return visible_to(Case.objects.all(), principal, action=action)


def cases(*, principal: Principal, action: str = "view") -> "QuerySet[Case]":
    """The caller's cases with what a list or a detail shows of them: the client's pseudonym
    (identity fields deferred), the organisation and the staff assigned, in three queries."""
    assignments = CaseAssignment.objects.select_related("user").only(*ASSIGNMENT_FIELDS)
    return (
        visible_cases(principal=principal, action=action)
        .select_related("client", "organisation")
        .defer(*CLIENT_IDENTITY)
        .prefetch_related(Prefetch("assignments", queryset=assignments))
    )


def case(*, principal: Principal, pk: uuid.UUID, action: str = "view") -> Case | None:
    """One case as a detail shows it, or ``None`` where the caller may not see it."""
    return cases(principal=principal, action=action).filter(pk=pk).first()


def assigned_case_ids(user_id: uuid.UUID) -> "QuerySet[CaseAssignment, Any]":
    """The ids (``case_id``) of the cases the person is assigned to, as a subquery."""
    return CaseAssignment.objects.filter(user_id=user_id).values("case_id")


def assigned_to(queryset: "QuerySet[Case]", user_id: uuid.UUID) -> "QuerySet[Case]":
    """The cases among ``queryset`` that the person is assigned to."""
    return queryset.filter(pk__in=assigned_case_ids(user_id))


def matching_text(queryset: "QuerySet[Case]", text: str) -> "QuerySet[Case]":
    # The incident area is encrypted, so the database can match the reference only.
    return queryset.filter(reference__icontains=text)


def _of_case(queryset: "QuerySet[M]", case_id: uuid.UUID) -> "QuerySet[M]":
    return queryset.filter(case_id=case_id)


def transitions(*, principal: Principal, case: Case) -> "QuerySet[CaseTransition]":
    """The case's lifecycle history with who moved it."""
    rows = visible_to(CaseTransition.objects.all(), principal)
    return _of_case(rows, case.pk).select_related("actor")


def contact_log(
    *, principal: Principal, case: Case, action: str = "view"
) -> "QuerySet[ContactLogEntry]":
    rows = visible_to(ContactLogEntry.objects.all(), principal, action=action)
    return _of_case(rows, case.pk).select_related("recorded_by")


def notes(*, principal: Principal, case: Case, action: str = "view") -> "QuerySet[Note]":
    rows = visible_to(Note.objects.all(), principal, action=action)
    return _of_case(rows, case.pk).select_related("author")
