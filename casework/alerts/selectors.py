"""Reading alerts, narrowed first to what the caller may see (or change): the case's staff read
a case's alerts as they read the case; an integration with ``alerts:read`` reads its charity's
feed; the checker answers from the live alerts of the caller's charity."""

from django.db.models import QuerySet
from django.utils import timezone

from casework.accounts.principals import Principal
from casework.cases.models import Case
from casework.core.access import visible_to

from .choices import IN_FEED, LIVE
from .models import Alert


def case_alerts(*, principal: Principal, case: Case, action: str = "view") -> "QuerySet[Alert]":
    return (
        visible_to(Alert.objects.all(), principal, action=action)
        .filter(case_id=case.pk)
        .select_related("author", "reviewed_by", "approval")
        .prefetch_related("identifiers")
    )


def feed(*, principal: Principal) -> "QuerySet[Alert]":
    """Published, updated and retracted alerts (never a draft, one in review or an expired
    one), newest first. What of each the subscriber sees is the serializer's to say."""
    return (
        visible_to(Alert.objects.all(), principal, action="view")
        .filter(status__in=IN_FEED, published_at__isnull=False)
        .prefetch_related("identifiers")
    )


def checkable(*, principal: Principal) -> "QuerySet[Alert]":
    """The live alerts a checker query of the caller is compared with: published (or updated),
    not retracted, not past their expiry even before the sweep has caught up."""
    return visible_to(Alert.objects.all(), principal, action="view").filter(
        status__in=LIVE, expires_at__gt=timezone.now()
    )
