"""Who a reminder about a case goes to.

The case's person first, by the one ranking in ``casework.cases.assignments``. A case nobody is
assigned to must not be a case nobody is reminded about, so its reminders go to the
organisation's active supervisor who has served longest (every supervisor sees every case of
their charity, and the longest-serving is a stable pick that does not change from scan to scan).
The scan's rules and the hand-over of a colleague's reminders both ask here, so a reminder handed
over is the one the next scan expects, held by the person it expects."""

from django.db.models import OuterRef, QuerySet, Subquery, UUIDField
from django.db.models.functions import Coalesce

from casework.accounts.choices import Role
from casework.accounts.models import User
from casework.cases.assignments import primary_assignee, primary_assignee_of

__all__ = ["reminder_assignee", "reminder_assignee_of"]


def _supervisors(organisation) -> QuerySet:
    return User.objects.filter(
        organisation_id=organisation, role=Role.SUPERVISOR, is_active=True
    ).order_by("date_joined", "id")


def reminder_assignee(case_ref: str = "pk", organisation_ref: str = "organisation_id"):
    """An expression over a case queryset: the case's person, else the organisation's
    longest-serving active supervisor, else NULL (nobody at all: the rules make no reminder)."""
    fallback = Subquery(_supervisors(OuterRef(organisation_ref)).values("pk")[:1])
    return Coalesce(primary_assignee(case_ref), fallback, output_field=UUIDField())


def reminder_assignee_of(case, *, excluding=None) -> User | None:
    """The same pick for one case, leaving ``excluding`` out of the case's staff (a colleague
    being taken off it). The supervisors are not narrowed: a supervisor keeps seeing the case
    after being taken off it, and the scan will go on picking them."""
    heir = primary_assignee_of(case.pk, excluding=excluding)
    return heir if heir is not None else _supervisors(case.organisation_id).first()
