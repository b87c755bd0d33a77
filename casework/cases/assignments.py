"""Who is the case's person: the one ranking every part of Casework uses to pick the member of
staff a case belongs to day to day (the reminders' assignee, the charity contact named to
police, the heir of a colleague's reminders).

The case's caseworker comes first, then its ISVA, then anyone else assigned (the ranks of
``casework.accounts.roles``); among equals, the one assigned longest; only staff whose account is
active count."""

from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Value, When

from casework.accounts.models import User
from casework.accounts.roles import CASE_RANK, OTHER_RANK

from .models import CaseAssignment


def _ranked(assignments: QuerySet) -> QuerySet:
    rank = CaseWhen(
        *(When(role=role, then=Value(rank)) for role, rank in CASE_RANK.items()),
        default=Value(OTHER_RANK),
        output_field=IntegerField(),
    )
    return (
        assignments.filter(user__is_active=True)
        .annotate(rank=rank)
        .order_by("rank", "assigned_at", "id")
    )


def primary_assignee(case_ref: str = "pk") -> Subquery:
    """The case's person as a subquery over a case queryset (``case_ref`` names the case id),
    for the set-based reminder rules."""
    return Subquery(
        _ranked(CaseAssignment.objects.filter(case_id=OuterRef(case_ref))).values("user_id")[:1]
    )


def primary_assignee_of(case_id, *, excluding=None) -> User | None:
    """The case's person for one case, optionally leaving someone out (a colleague being taken
    off the case)."""
    assignments = CaseAssignment.objects.filter(case_id=case_id)
    if excluding is not None:
        assignments = assignments.exclude(user_id=excluding)
    first = _ranked(assignments).select_related("user").first()
    return first.user if first else None
