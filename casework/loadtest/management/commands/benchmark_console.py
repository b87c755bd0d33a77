import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from casework.cases.models import Case, CaseAssignment
from casework.loadtest.generate import PASSWORD, PREFIX
from casework.reminders.choices import ReminderStatus
from casework.reminders.models import Reminder
from casework.sharing.models import SharedCase

from .benchmark_api import ROOT, _free_port, _long_cases
from .benchmark_api import Command as ApiBenchmark

# What every console page must stay within (printed beside the figures, never asserted).
LATENCY_TARGET_MS = 100.0
SIZE_TARGET_BYTES = 100_000


class Command(ApiBenchmark):
    help = (
        "Benchmark the console's main pages on generated data (generate_load_data): gunicorn "
        "(2 workers, production settings) serving Casework, each page driven by wrk as a "
        "signed-in caseworker, supervisor or police liaison officer. Prints p50 and p99 "
        "latency, requests per second, SQL statements and the page's size in bytes beside the "
        "targets of 100 ms and 100 KB. Run the reminder scan first (benchmark_scans) for the "
        "pages that show reminders to have some."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
        parser.add_argument("--rounds", type=int, default=3, help="wrk runs per page")
        parser.add_argument(
            "--connections",
            type=int,
            default=2,
            help="concurrent requests; 2 (one per worker) measures a page, not a queue",
        )
        parser.add_argument("--only", help="run only pages whose name contains this")

    def handle(self, *args, duration, rounds, connections, only, **options):
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed: apt-get install wrk (Debian's package).")
        if not Case.objects.filter(organisation__code__startswith=PREFIX).exists():
            raise CommandError("No generated data here: run generate_load_data first.")
        if not (ROOT / "console" / "static" / "console" / "vendor" / "htmx.min.js").exists():
            raise CommandError(
                "The console's browser packages are missing: run scripts/install_assets.py "
                "(./scripts/test and ./scripts/demo run it)."
            )
        # The server's sessions are signed with its secret key: the sessions opened here are too.
        secret_key = secrets.token_urlsafe(50)
        with override_settings(SECRET_KEY=secret_key):
            pages = self._pages()
            if only:
                pages = [p for p in pages if only in p["name"]]
            for found in pages:
                self._capture(found)
        # Production's static files are named by their digest, from the manifest collectstatic
        # writes: collected here into a directory of the run's own.
        workdir = Path(tempfile.mkdtemp(prefix="casework-bench-console-"))
        env = {**self._server_env(secret_key), "DJANGO_STATIC_ROOT": str(workdir)}
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        port = _free_port()
        server = self._gunicorn("casework.wsgi:application", port, env)
        try:
            for found in pages:
                self._served(found, port)
            results = {}
            for found in pages:
                results[found["name"]] = [
                    self._wrk(port, found, duration, connections) for _ in range(rounds)
                ]
                self.stderr.write(f"measured: {found['name']}")
            memory = self._peak_memory(server)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            shutil.rmtree(workdir, ignore_errors=True)
        self._report(pages, results, memory, duration, rounds, connections)

    # --- what is measured -----------------------------------------------------------------

    def _pages(self) -> list[dict]:
        # The caseworker with the most open reminders: the fullest caseload page.
        username = (
            Reminder.objects.filter(
                assignee__username__startswith="ld.ldca.staff", status=ReminderStatus.OPEN
            )
            .values("assignee__username")
            .annotate(n=Count("pk"))
            .order_by("-n", "assignee__username")
            .values_list("assignee__username", flat=True)
            .first()
        ) or "ld.ldca.staff1"
        caseworker = self._session(username)
        supervisor = self._session("ld.ldca.super0")
        police = self._session("ld.ldpa.liaison0")
        # One of the longest histories (the heaviest case page), as a caseworker assigned to it.
        assignment = (
            CaseAssignment.objects.filter(
                case__in=_long_cases(), user__username__startswith="ld.ldca.staff"
            )
            .select_related("case", "user")
            .order_by("user__username")
            .first()
        )
        if assignment is None:
            case = Case.objects.filter(assignments__user__username=username).first()
            reader = caseworker
        else:
            case, reader = assignment.case, self._session(assignment.user.username)
        share = (
            SharedCase.objects.filter(
                police_force__code="LDPA", status="active", level="identified"
            )
            .order_by("-started_at")
            .first()
        )
        found = [
            ("caseworker: my caseload", "/app/caseload/", caseworker),
            ("caseworker: a case", f"/app/cases/{case.pk}/", reader),
            ("caseworker: log a contact", f"/app/cases/{case.pk}/contacts/new/", reader),
            ("supervisor: team caseload", "/app/team/", supervisor),
            ("supervisor: reminders escalated", "/app/escalated/", supervisor),
            ("supervisor: staff", "/app/staff/", supervisor),
            ("police: shared cases", "/app/shared/", police),
            ("police: a shared case", f"/app/shared/{share.pk}/", police),
        ]
        return [
            {
                "name": name,
                "path": path,
                "session": key,
                # Behind the TLS-terminating proxy production runs behind: no HTTPS redirect.
                "headers": {
                    "Cookie": f"{settings.SESSION_COOKIE_NAME}={key}",
                    "X-Forwarded-Proto": "https",
                },
            }
            for name, path, key in found
        ]

    def _session(self, username: str) -> str:
        """Signs in through the console's own sign-in form, as a browser does, and keeps the
        session it opened."""
        browser = Client()
        response = browser.post(
            "/app/sign-in/", {"username": username, "password": PASSWORD}, secure=True
        )
        if response.status_code != 302:
            raise CommandError(f"{username} could not sign in: {response.status_code}")
        return browser.cookies[settings.SESSION_COOKIE_NAME].value

    def _capture(self, found: dict) -> None:
        """Opens the page once in this process: its SQL statements and its size."""
        browser = Client()
        browser.cookies[settings.SESSION_COOKIE_NAME] = found["session"]
        browser.get(found["path"], secure=True)  # warm: token renewal and caches settle
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(found["path"], secure=True)
        if response.status_code != 200:
            raise CommandError(f"{found['name']}: {response.status_code}")
        found["statements"] = len(queries.captured_queries)

    def _served(self, found: dict, port: int) -> None:
        """The page as the server sends it: its size in bytes, checked to be the page itself."""
        # Only ever the gunicorn this command started on loopback.
        request = urllib.request.Request(  # nosec B310
            f"http://127.0.0.1:{port}{found['path']}", headers=found["headers"]
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # nosec B310
            body = response.read()
            if response.status != 200 or response.geturl() != request.full_url:
                raise CommandError(f"{found['name']}: {response.status} {response.geturl()}")
        found["bytes"] = len(body)

    # --- the report ------------------------------------------------------------------------

    def _report(self, pages, results, memory, duration, rounds, connections) -> None:
        out = self.stdout.write
        out(
            f"wrk: {min(2, connections)} threads, {connections} connections, {duration} s per "
            f"run, {rounds} runs per page; medians shown."
        )
        out(
            "| page | SQL/request | req/s | p50 ms | p99 ms | latency target | bytes | "
            "size target |"
        )
        out("| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |")
        for found in pages:
            runs = results[found["name"]]
            median = {k: statistics.median(x[k] for x in runs) for k in ("rps", "p50", "p99")}
            errors = sum(x["errors"] for x in runs)
            latency = "met" if median["p99"] < LATENCY_TARGET_MS else "missed"
            size = "met" if found["bytes"] < SIZE_TARGET_BYTES else "missed"
            out(
                f"| {found['name']} | {found['statements']} | {median['rps']:.0f} | "
                f"{median['p50']:.1f} | {median['p99']:.1f} | "
                f"< {LATENCY_TARGET_MS:.0f} ms {latency} | {found['bytes']:,} | "
                f"< {SIZE_TARGET_BYTES // 1000} KB {size}"
                + (f" ({errors} non-2xx)" if errors else "")
                + " |"
            )
        out(f"Peak memory of a gunicorn worker: {memory / 1024:.0f} MB.")
