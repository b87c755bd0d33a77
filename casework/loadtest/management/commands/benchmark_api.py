import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from casework.accounts.services.auth import login
from casework.cases.models import Case, ContactLogEntry
from casework.loadtest.generate import PASSWORD, PREFIX
from casework.sharing.models import SharedCase

ROOT = Path(settings.BASE_DIR)
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|SELECT\s+pg_advisory_xact_lock)", re.IGNORECASE)
TARGETS = {"list": (0.6, 50.0), "detail": (0.8, None)}


def _throwaway_key() -> str:
    """A random 32-byte key in the settings' base64 form, for production's checks to pass."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Command(BaseCommand):
    help = (
        "Benchmark the API against its raw-SQL limit on generated data (generate_load_data): "
        "gunicorn (2 workers) serving Casework, and a framework-free WSGI app replaying exactly "
        "the SQL each endpoint issued and returning the same JSON, both driven by wrk at "
        "concurrency 8, alternating, several rounds. Prints requests per second, p50 and p99 "
        "latency, SQL statements per request, the API/baseline ratio and worker peak memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
        parser.add_argument("--rounds", type=int, default=3, help="API/baseline alternations")
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument("--only", help="run only endpoints whose name contains this")

    def handle(self, *args, duration, rounds, connections, only, **options):
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed: apt-get install wrk (Debian's package).")
        if not Case.objects.filter(organisation__code__startswith=PREFIX).exists():
            raise CommandError("No generated data here: run generate_load_data first.")
        # Load, not abuse: the throttles would answer 429 within the first second.
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "person": "100000000/minute"}
        endpoints = self._endpoints()
        if only:
            endpoints = [e for e in endpoints if only in e["name"]]
        plan = {}
        for endpoint in endpoints:
            self._capture(endpoint)
            plan[endpoint["path"]] = {
                "statements": endpoint["statements"],
                "writes": endpoint["writes"],
                "body": endpoint["body"],
                "status": endpoint["status"],
            }
        workdir = Path(tempfile.mkdtemp(prefix="casework-bench-"))
        plan_file = workdir / "plan.json"
        plan_file.write_text(json.dumps(plan))
        api_port, base_port = _free_port(), _free_port()
        env = {
            **self._server_env(),
            "BASELINE_PLAN": str(plan_file),
            "BASELINE_DATABASE_URL": _dsn(),
        }
        servers = {
            "api": self._gunicorn("casework.wsgi:application", api_port, env),
            "baseline": self._gunicorn("casework.loadtest.baseline:application", base_port, env),
        }
        try:
            results = self._drive(endpoints, api_port, base_port, duration, rounds, connections)
            memory = {name: self._peak_memory(proc) for name, proc in servers.items()}
        finally:
            for proc in servers.values():
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            shutil.rmtree(workdir, ignore_errors=True)
        self._print(endpoints, results, memory, duration, rounds, connections)

    # --- what is measured -----------------------------------------------------------------

    def _endpoints(self) -> list[dict]:
        caseworker = self._token("ld.ldca.staff1")
        supervisor = self._token("ld.ldca.super0")
        police = self._token("ld.ldpa.liaison0")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {caseworker}")
        url, deep = "/api/v1/cases/", None
        for _ in range(40):
            body = client.get(url).json()
            if not body["next"]:
                break
            url = deep = body["next"].replace("http://testserver", "")
        visible = Case.objects.filter(assignments__user__username="ld.ldca.staff1")
        case = visible.order_by("-opened_at").first()
        long_case = (
            visible.filter(pk__in=_long_cases()).first()
            or Case.objects.filter(pk__in=_long_cases()).first()
        )
        share = (
            SharedCase.objects.filter(
                police_force__code="LDPA", status="active", level="identified"
            )
            .order_by("-started_at")
            .first()
        )
        endpoints = [
            ("caseworker case list, first page", "list", "/api/v1/cases/", caseworker),
            ("caseworker case list, deep cursor page", "list", deep, caseworker),
            (
                "supervisor case list, filter and search",
                "list",
                "/api/v1/cases/?support_status=active&q=North",
                supervisor,
            ),
            ("case detail", "detail", f"/api/v1/cases/{case.pk}/", caseworker),
            (
                "case timeline, 200 events",
                "list",
                f"/api/v1/cases/{long_case.pk}/timeline/",
                caseworker,
            ),
            ("police shared-case list", "list", "/api/v1/shared-cases/", police),
            ("police shared-case detail", "detail", f"/api/v1/shared-cases/{share.pk}/", police),
        ]
        return [
            {"name": n, "kind": k, "path": p, "token": t}
            for n, k, p, t in endpoints
            if p is not None
        ]

    def _token(self, username: str) -> str:
        request = RequestFactory().post("/api/v1/auth/login/")
        _, token, _ = login(request=request, username=username, password=PASSWORD)
        return token

    def _capture(self, endpoint: dict) -> None:
        """Calls the endpoint once in this process and keeps the SQL it ran and what it sent."""
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {endpoint['token']}")
        client.get(endpoint["path"])  # warm: token refresh and caches settle
        with CaptureQueriesContext(connection) as queries:
            response = client.get(endpoint["path"])
        if response.status_code != 200:
            raise CommandError(f"{endpoint['name']}: {response.status_code} {response.content!r}")
        statements = [q["sql"] for q in queries.captured_queries]
        endpoint["statements"] = statements
        endpoint["writes"] = any(WRITE.match(s) for s in statements)
        endpoint["body"] = response.content.decode()
        endpoint["status"] = response.status_code

    # --- servers and load ------------------------------------------------------------------

    def _server_env(self, secret_key: str | None = None) -> dict:
        """Production's settings with the keys the load data was written with."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "casework.loadtest.settings",
            "DJANGO_SECRET_KEY": secret_key or secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": _dsn().replace("postgresql://", "postgres://"),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
            "FIELD_ENCRYPTION_KEYS": f"bench:{_throwaway_key()}",
            "FIELD_HASH_KEY": _throwaway_key(),
            "AUDIT_HASH_KEYS": f"bench:{_throwaway_key()}",
            "CHECKER_HASH_KEYS": f"bench:{_throwaway_key()}",
            "BENCHMARK_FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
            "BENCHMARK_FIELD_HASH_KEY": settings.FIELD_HASH_KEY,
            "BENCHMARK_AUDIT_HASH_KEYS": ",".join(settings.AUDIT_HASH_KEYS),
            "THROTTLE_PERSON": "100000000/minute",
            "LOG_LEVEL": "WARNING",
        }

    def _gunicorn(self, app: str, port: int, env: dict) -> subprocess.Popen:
        proc = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--worker-class",
                "sync",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # nosec B310
                return proc
            except urllib.error.HTTPError:
                return proc  # the baseline answers 404 for what it does not replay: it is up
            except OSError:
                time.sleep(0.3)
        raise CommandError(f"{app} did not start")

    def _wrk(self, port: int, endpoint: dict, duration: int, connections: int) -> dict:
        headers = endpoint.get("headers") or {"Authorization": f"Token {endpoint['token']}"}
        result = subprocess.run(  # noqa: S603
            [
                shutil.which("wrk"),
                "-t",
                str(min(2, connections)),
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--latency",
                *[arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")],
                f"http://127.0.0.1:{port}{endpoint['path']}",
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=True,
        )
        out = result.stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        return {
            "rps": rps,
            "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
            "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
            "errors": int(non_2xx.group(1)) if non_2xx else 0,
        }

    def _drive(self, endpoints, api_port, base_port, duration, rounds, connections) -> dict:
        results = {e["name"]: {"api": [], "baseline": []} for e in endpoints}
        for endpoint in endpoints:
            for _ in range(rounds):
                for side, port in (("api", api_port), ("baseline", base_port)):
                    results[endpoint["name"]][side].append(
                        self._wrk(port, endpoint, duration, connections)
                    )
            self.stderr.write(f"measured: {endpoint['name']}")
        return results

    def _peak_memory(self, proc: subprocess.Popen) -> int:
        """The largest peak resident size (VmHWM, kB) among the master's worker processes."""
        peaks = []
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        for pid in pids:
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
                if match:
                    peaks.append(int(match.group(1)))
        return max(peaks) if peaks else 0

    # --- the report ------------------------------------------------------------------------

    def _print(self, endpoints, results, memory, duration, rounds, connections) -> None:
        out = self.stdout.write
        out(
            f"wrk: 2 threads, {connections} connections, {duration} s per run, {rounds} rounds "
            f"alternating API and baseline; medians shown."
        )
        out(
            "| endpoint | SQL/request | API req/s | baseline req/s | API/baseline | API p50 ms | "
            "API p99 ms | baseline p50 ms | baseline p99 ms | target |"
        )
        out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for endpoint in endpoints:
            r = results[endpoint["name"]]
            api = {k: statistics.median(x[k] for x in r["api"]) for k in ("rps", "p50", "p99")}
            base = {
                k: statistics.median(x[k] for x in r["baseline"]) for k in ("rps", "p50", "p99")
            }
            ratio = api["rps"] / base["rps"] if base["rps"] else 0
            minimum, p99_target = TARGETS[endpoint["kind"]]
            met = ratio >= minimum and (p99_target is None or api["p99"] <= p99_target)
            target = f"≥{minimum}" + (f", p99 ≤{p99_target:.0f} ms" if p99_target else "")
            errors = sum(x["errors"] for x in r["api"] + r["baseline"])
            out(
                f"| {endpoint['name']} | {len(endpoint['statements'])} | {api['rps']:.0f} | "
                f"{base['rps']:.0f} | {ratio:.2f} | {api['p50']:.1f} | {api['p99']:.1f} | "
                f"{base['p50']:.1f} | {base['p99']:.1f} | {target} {'met' if met else 'missed'}"
                + (f" ({errors} non-2xx)" if errors else "")
                + " |"
            )
        out(
            f"Peak memory of a gunicorn worker: API {memory['api'] / 1024:.0f} MB, "
            f"baseline {memory['baseline'] / 1024:.0f} MB."
        )


def _dsn() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _long_cases():
    """Cases with the longest timelines (the generator gives some 200 events)."""
    from django.db.models import Count

    return (
        ContactLogEntry.objects.values("case_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values("case_id")[:50]
    )
