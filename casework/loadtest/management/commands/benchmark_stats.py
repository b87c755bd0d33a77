import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from casework.accounts.models import User
from casework.accounts.services.auth import login
from casework.cases.models import Case
from casework.loadtest.generate import PASSWORD, PREFIX

STATS = "/api/v1/stats/"
TARGET_SECONDS = 1.0


class Command(BaseCommand):
    help = (
        "Time the statistics endpoint on generated data (generate_load_data): a supervisor's "
        "figures for the last twelve whole months by each grouping, and a police liaison's, "
        "computed afresh (the cache's lifetimes set to 0) and then answered from the cache, "
        "through the whole API (authentication, suppression, rendering, the audit event). "
        "Prints the median and slowest of several runs, the median time spent in PostgreSQL, "
        "and the SQL statements per request."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="timed requests per figure")

    def handle(self, *args, runs, **options):
        if not Case.objects.filter(organisation__code__startswith=PREFIX).exists():
            raise CommandError("No generated data here: run generate_load_data first.")
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "person": "100000000/minute"}
        supervisor = User.objects.filter(username__startswith="ld.", role="supervisor").first()
        liaison = User.objects.filter(username__startswith="ld.", role="police_liaison").first()
        if supervisor is None:
            raise CommandError("The generated data has no supervisor.")
        today = timezone.localdate()
        last = today.replace(day=1) - timedelta(days=1)
        first = last.replace(year=last.year - 1) + timedelta(days=1)
        year = {"from": first.isoformat(), "to": last.isoformat()}
        cases = Case.objects.filter(organisation=supervisor.organisation)
        counted = cases.filter(opened_at__date__gte=first, opened_at__date__lte=last).count()
        self.stdout.write(
            f"{Case.objects.count():,} cases; {supervisor.organisation.code} holds "
            f"{cases.count():,}, {counted:,} of them opened {first} to {last}; "
            f"PostgreSQL {connection.pg_version // 10000}"
        )
        self.stdout.write(
            f"{'figures':<44} {'median':>8} {'slowest':>8} {'in SQL':>8} {'stmts':>4}"
        )
        worst, worst_median = 0.0, 0.0
        callers = [(supervisor, ("month", "offence_type", "share_level", "justice_stage"))]
        if liaison is not None:
            callers.append((liaison, ("month", "share_level")))
        for caller, groupings in callers:
            api = self._client(caller)
            for group_by in groupings:
                params = {**year, "group_by": group_by}
                label = f"{caller.role} {group_by}"
                fresh = self._time(api, params, runs, cached=False)
                worst, worst_median = max(worst, fresh[1]), max(worst_median, fresh[0])
                self._line(f"{label}, computed", *fresh)
                self._line(f"{label}, from the cache", *self._time(api, params, runs, cached=True))
            html = {**year, "format": "html"}
            self._line(
                f"{caller.role} printable return, computed", *self._time(api, html, 2, cached=False)
            )
        verdict = "within" if worst_median < TARGET_SECONDS else "OVER"
        self.stdout.write(
            f"computed answers: slowest median {worst_median:.3f} s ({verdict} the "
            f"{TARGET_SECONDS:.0f} s target), slowest single run {worst:.3f} s"
        )

    def _client(self, user: User) -> APIClient:
        request = RequestFactory().post("/api/v1/auth/login/")
        _, token, _ = login(request=request, username=user.username, password=PASSWORD)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return api

    def _time(self, api: APIClient, params: dict, runs: int, *, cached: bool):
        lifetime = 120 if cached else 0
        settings.STATS_CACHE_CLOSED_SECONDS = settings.STATS_CACHE_OPEN_SECONDS = lifetime
        if cached:
            api.get(STATS, params)  # fills the cache
        seconds, sql_seconds, statements = [], [], 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = api.get(STATS, params)
                seconds.append(time.perf_counter() - started)
            sql_seconds.append(sum(float(q["time"]) for q in queries.captured_queries))
            if response.status_code != 200:
                raise CommandError(
                    f"{params} answered {response.status_code}: {response.content!r}"
                )
            statements = len(queries)
        return (
            statistics.median(seconds),
            max(seconds),
            statistics.median(sql_seconds),
            statements,
        )

    def _line(self, label: str, median: float, slowest: float, sql: float, statements: int) -> None:
        self.stdout.write(
            f"{label:<44} {median:>7.3f}s {slowest:>7.3f}s {sql:>7.3f}s {statements:>4}"
        )
