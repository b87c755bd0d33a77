"""An organisation's reminder windows, with the defaults where it has not set its own."""

from django.db.models import Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import DEFAULT_POLICY, ReminderPolicy


def policy_days(field: str, organisation_ref: str = "organisation_id"):
    """An expression: the organisation's value of ``field`` (days), or the default."""
    own = ReminderPolicy.objects.filter(organisation_id=OuterRef(organisation_ref)).values(field)[
        :1
    ]
    return Coalesce(Subquery(own, output_field=IntegerField()), Value(DEFAULT_POLICY[field]))


def days(expression) -> Func:
    """``make_interval(days => expression)`` for date arithmetic in SQL."""
    return Func(
        expression, function="make_interval", template="make_interval(days => %(expressions)s)"
    )


def policy_for(organisation) -> ReminderPolicy:
    return ReminderPolicy.objects.filter(organisation=organisation).first() or ReminderPolicy(
        organisation=organisation
    )
