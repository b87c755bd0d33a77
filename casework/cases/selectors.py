"""Reading referrals, cases and what is logged against them, always narrowed first to what the
caller may see (``action="view"``) or change (``"change"``), so that the API, the console and
any task answer alike."""

import uuid
from typing import Any, TypeVar

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, Model, OuterRef, Prefetch, QuerySet
from django.db.models.functions import JSONObject

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
    assignments = (
        CaseAssignment.objects.select_related("user")
        .only(*ASSIGNMENT_FIELDS)
        .order_by("assigned_at", "id")
    )
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


# What a list shows of each row, read as plain rows (no model instance per row).
NOTE_ROW = ("id", "case_id", "body", "visibility", "created_at", "author__username")
CONTACT_ROW = (
    "id",
    "case_id",
    "occurred_at",
    "contact_method_id",
    "channel",
    "direction",
    "outcome",
    "duration_minutes",
    "note",
    "corrects_id",
    "recorded_at",
    "recorded_by__username",
    "updated_at",
)


def note_rows(*, principal: Principal, case: Case) -> "QuerySet[Note, dict[str, Any]]":
    """The case's notes as rows of ``NOTE_ROW``."""
    rows: QuerySet[Note, dict[str, Any]] = _of_case(
        visible_to(Note.objects.all(), principal), case.pk
    ).values(*NOTE_ROW)
    return rows


def contact_rows(
    *, principal: Principal, case: Case
) -> "QuerySet[ContactLogEntry, dict[str, Any]]":
    """The case's contact log as rows of ``CONTACT_ROW``."""
    rows: QuerySet[ContactLogEntry, dict[str, Any]] = _of_case(
        visible_to(ContactLogEntry.objects.all(), principal), case.pk
    ).values(*CONTACT_ROW)
    return rows


CASE_ROW = (
    "id",
    "reference",
    "client_id",
    "client__pseudonym",
    "support_status",
    "justice_stage",
    "risk_level",
    "offence_types",
    "incident_date",
    "opened_at",
    "closed_at",
    "updated_at",
    "version",
)


def _assignment_objects() -> ArraySubquery:
    """The case's staff as one JSON array, built by PostgreSQL in the case list's own statement
    (in assignment order, as a detail lists them)."""
    return ArraySubquery(
        CaseAssignment.objects.filter(case_id=OuterRef("pk"))
        .order_by("assigned_at", "id")
        .values(
            json=JSONObject(
                user_id=F("user__id"),
                username=F("user__username"),
                first_name=F("user__first_name"),
                last_name=F("user__last_name"),
                user_role=F("user__role"),
                role=F("role"),
                assigned_at=F("assigned_at"),
            )
        )
    )


def case_rows(*, principal: Principal) -> "QuerySet[Case, dict[str, Any]]":
    """The caller's cases as rows of ``CASE_ROW`` and ``staff`` (their assignments: objects with
    the person's id, username, names and role, the assignment's role and when it was made, as
    ISO 8601 text). Only the client's pseudonym is read of them: no identity field."""
    rows: QuerySet[Case, dict[str, Any]] = visible_cases(principal=principal).values(
        *CASE_ROW, staff=_assignment_objects()
    )
    return rows
