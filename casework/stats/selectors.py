"""Statistics a charity may publish, and those a police force may see of its shares.

Every figure is an aggregate computed by PostgreSQL over a set of rows that starts from what the
caller may see (``visible_to``), and leaves here only through ``suppression``. A charity counts
only the cases whose client lets it keep records (the latest ``store_records`` decision is a
grant still in force); a force counts only the shares it holds or held, from the share's own
facts."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate, TruncMonth, TruncQuarter, TruncYear
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from casework.accounts.models import Organisation
from casework.accounts.principals import Principal
from casework.cases.choices import Lifecycle, OffenceType, ReferralSource
from casework.cases.lifecycles import JusticeStage, SupportStatus
from casework.cases.models import Case, CaseTransition
from casework.core.access import visible_to
from casework.court.choices import JusticeDecisionKind
from casework.court.models import JusticeDecision
from casework.sharing.choices import ConsentScope, SharingLevel
from casework.sharing.models import ConsentDecision, SharedCase

from . import caching, suppression
from .periods import StatsRequest

J = JusticeStage
NOT_GIVEN = "not_given"
NOT_SHARED = "not_shared"

# The attrition funnel: each stage counts the cases that reached it or a stage after it. A
# conviction is known by a sentence; a verdict can come without a trial (a guilty plea).
FUNNEL: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "reported",
        frozenset(
            {
                J.REPORTED,
                J.UNDER_INVESTIGATION,
                J.NO_FURTHER_ACTION,
                J.CHARGED,
                J.AWAITING_TRIAL,
                J.AT_TRIAL,
                J.VERDICT,
                J.SENTENCED,
                J.APPEAL,
                J.PROSECUTION_SUPPORT_WITHDRAWN,
            }
        ),
    ),
    (
        "under_investigation",
        frozenset(
            {
                J.UNDER_INVESTIGATION,
                J.CHARGED,
                J.AWAITING_TRIAL,
                J.AT_TRIAL,
                J.VERDICT,
                J.SENTENCED,
                J.APPEAL,
            }
        ),
    ),
    ("charged", frozenset({J.CHARGED, J.AWAITING_TRIAL, J.AT_TRIAL, J.VERDICT, J.SENTENCED})),
    ("trial", frozenset({J.AT_TRIAL})),
    ("verdict", frozenset({J.VERDICT, J.SENTENCED, J.APPEAL})),
    ("conviction", frozenset({J.SENTENCED})),
)
# Each stage's cases are among its parent's (a verdict without a trial is a plea, so a verdict
# hangs from the charge); the reported hang from every case counted.
FUNNEL_PARENTS = {
    "under_investigation": "reported",
    "charged": "under_investigation",
    "trial": "charged",
    "verdict": "charged",
    "conviction": "verdict",
}
# Where cases left the pathway: the stage they stand at now.
EXITS: tuple[tuple[str, str], ...] = (
    ("no_further_action", J.NO_FURTHER_ACTION),
    ("prosecution_support_withdrawn", J.PROSECUTION_SUPPORT_WITHDRAWN),
    ("anonymous_intelligence_only", J.ANONYMOUS_INTELLIGENCE),
)


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class _DaysBetween(Func):
    """Whole days from the first date to the second (PostgreSQL's date subtraction)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


def _midnight(day: date) -> datetime:
    """The moment ``day`` starts here: a range of moments lets PostgreSQL use the index on the
    moment a case was opened, where comparing each case's local date would read them all."""
    return timezone.make_aware(datetime.combine(day, time.min))


def countable_cases(*, principal: Principal, start: date, end: date) -> "QuerySet[Case]":
    """The caller's organisation's cases opened from ``start`` to ``end`` whose records the
    client lets the charity keep today."""
    in_force = Q(granted=True) & (
        Q(review_date__isnull=True) | Q(review_date__gte=timezone.localdate())
    )
    # The latest decision, asked once per case: is it a grant still in force?
    latest = (
        ConsentDecision.objects.filter(case_id=OuterRef("pk"), scope=ConsentScope.STORE_RECORDS)
        .order_by("-id")
        .values(kept=ExpressionWrapper(in_force, output_field=BooleanField()))[:1]
    )
    return (
        visible_to(Case.objects.all(), principal)
        .filter(opened_at__gte=_midnight(start), opened_at__lt=_midnight(end + timedelta(days=1)))
        .annotate(records_kept=Subquery(latest))
        .filter(records_kept=True)
    )


def _reached(stages: frozenset[str]) -> Q:
    moved = CaseTransition.objects.filter(
        case_id=OuterRef("pk"), lifecycle=Lifecycle.JUSTICE, to_state__in=stages
    )
    return Q(justice_stage__in=stages) | Q(Exists(moved))


def _period_key(group_by: str, moment: Any) -> str:
    if group_by == "year":
        return f"{moment:%Y}"
    if group_by == "quarter":
        return f"{moment:%Y}-Q{(moment.month - 1) // 3 + 1}"
    return f"{moment:%Y-%m}"


_TRUNC = {"month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}


def _by_period(rows: QuerySet[Any], field: str, group_by: str) -> list[tuple[str, int]]:
    counted = (
        rows.annotate(period=_TRUNC[group_by](field))
        .values("period")
        .annotate(n=Count("pk", distinct=True))
        .order_by("period")
    )
    return [(_period_key(group_by, row["period"]), row["n"]) for row in counted]


def _by_choices(rows: QuerySet[Any], groups: dict[str, Q]) -> list[tuple[str, int]]:
    """One count per named condition, in one query."""
    counted = rows.aggregate(
        **{key: Count("pk", filter=q, distinct=True) for key, q in groups.items()}
    )
    return [(key, counted[key]) for key in groups if counted[key]]


def _offence_groups() -> dict[str, Q]:
    groups = {value: Q(offence_types__contains=[value]) for value in OffenceType.values}
    groups[NOT_GIVEN] = Q(offence_types=[])
    return groups


def _case_groups(group_by: str) -> dict[str, Q]:
    if group_by == "offence_type":
        return _offence_groups()
    if group_by == "referral_source":
        groups = {value: Q(referral__source=value) for value in ReferralSource.values}
        groups[NOT_GIVEN] = Q(referral__isnull=True)
        return groups
    if group_by == "support_status":
        return {value: Q(support_status=value) for value in SupportStatus.values}
    if group_by == "justice_stage":
        return {value: Q(justice_stage=value) for value in JusticeStage.values}
    shares = SharedCase.objects.filter(case_id=OuterRef("pk"))
    identified = Q(Exists(shares.filter(level=SharingLevel.IDENTIFIED)))
    anonymous = Q(Exists(shares.exclude(level=SharingLevel.IDENTIFIED)))
    # A case shared at both levels (with different forces) counts as identified.
    return {
        SharingLevel.IDENTIFIED.value: identified,
        SharingLevel.ANONYMOUS.value: anonymous & ~identified,
        NOT_SHARED: ~Q(Exists(shares)),
    }


def _days_from_report() -> tuple[_DaysBetween, _DaysBetween]:
    """For each case, the days from its report to its first charge and to its first verdict:
    expressions used inside the aggregates themselves, so the one pass is not wrapped in a
    subquery (which the funnel's own subqueries could not see through)."""
    reported = CaseTransition.objects.filter(
        case_id=OuterRef("pk"), lifecycle=Lifecycle.JUSTICE, to_state=J.REPORTED
    )
    decisions = JusticeDecision.objects.filter(case_id=OuterRef("pk"))

    def first(qs: QuerySet[Any], field: str) -> Subquery:
        return Subquery(
            qs.order_by().values("case_id").annotate(first=Min(field)).values("first")[:1]
        )

    reported_on = TruncDate(first(reported, "occurred_at"))
    charged_on = first(decisions.filter(kind=JusticeDecisionKind.CHARGE), "decided_on")
    verdict_on = first(decisions.filter(kind=JusticeDecisionKind.VERDICT), "decided_on")
    return _DaysBetween(charged_on, reported_on), _DaysBetween(verdict_on, reported_on)


def _periods(group_by: str, start: date, end: date) -> dict[str, Q]:
    """Each month, quarter or year the range touches, as the moments it spans within the range
    (local time, as ``_midnight``)."""
    step = {"month": 1, "quarter": 3, "year": 12}[group_by]
    first_month = (start.month - 1) // step * step + 1
    groups: dict[str, Q] = {}
    year, month = start.year, first_month
    while date(year, month, 1) <= end:
        following = (year + (month + step - 1) // 12, (month + step - 1) % 12 + 1)
        begins = max(start, date(year, month, 1))
        ends = min(end + timedelta(days=1), date(following[0], following[1], 1))
        key = _period_key(group_by, date(year, month, 1))
        groups[key] = Q(opened_at__gte=_midnight(begins), opened_at__lt=_midnight(ends))
        year, month = following
    return groups


def _opened_groups(group_by: str, start: date, end: date) -> dict[str, Q]:
    if group_by in _TRUNC:
        return _periods(group_by, start, end)
    return _case_groups(group_by)


def _one_pass(cases: "QuerySet[Case]", request: StatsRequest) -> dict[str, Any]:
    """The funnel, its exits, the total, the medians and the opened table by the grouping, in
    one aggregate over the countable cases: each further pass would work out again which cases
    may be counted."""
    figures: dict[str, Any] = {
        f"stage_{name}": Count("pk", filter=_reached(stages)) for name, stages in FUNNEL
    }
    figures |= {f"exit_{name}": Count("pk", filter=Q(justice_stage=stage)) for name, stage in EXITS}
    figures["total"] = Count("pk")
    to_charge, to_verdict = _days_from_report()
    figures |= {
        "charge_median": Median(to_charge, filter=GreaterThanOrEqual(to_charge, 0)),
        "charge_cases": Count("pk", filter=GreaterThanOrEqual(to_charge, 0)),
        "verdict_median": Median(to_verdict, filter=GreaterThanOrEqual(to_verdict, 0)),
        "verdict_cases": Count("pk", filter=GreaterThanOrEqual(to_verdict, 0)),
    }
    figures |= {
        f"opened_{index}": Count("pk", filter=q, distinct=True)
        for index, q in enumerate(
            _opened_groups(request.group_by, request.start, request.end).values()
        )
    }
    result: dict[str, Any] = cases.aggregate(**figures)
    return result


def organisation_figures(*, principal: Principal, request: StatsRequest) -> dict[str, Any]:
    """The charity's published figures for ``request``: cases opened by the grouping, the
    attrition funnel and the medians, every one suppressed as ``suppression`` says, kept in the
    cache for the organisation and range (``caching``)."""
    organisation = principal.organisation
    limit = suppression.threshold(organisation.stats_threshold if organisation else None)
    return caching.cached_figures(
        kind="charity",
        organisation_id=principal.organisation_id,
        request=request,
        threshold=limit,
        compute=lambda: _organisation_figures(principal=principal, request=request, limit=limit),
    )


def _organisation_figures(
    *, principal: Principal, request: StatsRequest, limit: int
) -> dict[str, Any]:
    cases = countable_cases(principal=principal, start=request.start, end=request.end)
    funnel = _one_pass(cases, request)
    total = funnel["total"]
    groups = _opened_groups(request.group_by, request.start, request.end)
    counts = [
        (key, funnel[f"opened_{index}"])
        for index, key in enumerate(groups)
        if funnel[f"opened_{index}"]
    ]
    opened = suppression.suppress_table(counts, total, limit=limit)
    stages = [(name, funnel[f"stage_{name}"]) for name, _stages in FUNNEL]
    exits = [(name, funnel[f"exit_{name}"]) for name, _stage in EXITS]
    medians = {
        "report_to_charge": (funnel["charge_median"], funnel["charge_cases"]),
        "report_to_verdict": (funnel["verdict_median"], funnel["verdict_cases"]),
    }
    return {
        "from": request.start,
        "to": request.end,
        "group_by": request.group_by,
        "threshold": limit,
        "opened": opened.as_dict(),
        "funnel": suppression.suppress_nested(stages, FUNNEL_PARENTS, total, limit=limit).as_dict()[
            "rows"
        ],
        "exits": suppression.suppress_table(exits, total, limit=limit).as_dict()["rows"],
        "median_days": {
            name: suppression.suppress_median(median, count, limit=limit)
            for name, (median, count) in medians.items()
        },
    }


def _share_groups(group_by: str) -> dict[str, Q]:
    if group_by == "offence_type":
        groups = {value: Q(case__offence_types__contains=[value]) for value in OffenceType.values}
        groups[NOT_GIVEN] = Q(case__offence_types=[])
        return groups
    return {value: Q(level=value) for value in SharingLevel.values}


def force_figures(
    *, force: Organisation, shares: "QuerySet[SharedCase]", request: StatsRequest
) -> dict[str, Any]:
    """A force's published figures: its shares (``shares``, those it holds or held, as
    ``permissions`` answers) that started in the range, by the grouping, from the share's facts
    alone. They count the records of the charities that shared them, so they are withheld
    under the highest threshold of the force and those charities. Kept in the cache for the
    force and range (``caching``)."""
    return caching.cached_figures(
        kind="force",
        organisation_id=force.pk,
        request=request,
        threshold=suppression.threshold(force.stats_threshold),
        compute=lambda: _force_figures(force=force, shares=shares, request=request),
    )


def _force_figures(
    *, force: Organisation, shares: "QuerySet[SharedCase]", request: StatsRequest
) -> dict[str, Any]:
    rows = shares.filter(started_at__date__gte=request.start, started_at__date__lte=request.end)
    found = rows.aggregate(total=Count("pk"), charities=Max("case__organisation__stats_threshold"))
    total = found["total"]
    limit = suppression.threshold(force.stats_threshold, found["charities"])
    if request.group_by in _TRUNC:
        counts = _by_period(rows, "started_at", request.group_by)
    else:
        counts = _by_choices(rows, _share_groups(request.group_by))
    return {
        "from": request.start,
        "to": request.end,
        "group_by": request.group_by,
        "threshold": limit,
        "shares": suppression.suppress_table(counts, total, limit=limit).as_dict(),
    }
