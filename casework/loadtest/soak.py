"""The soak: a running Casework driven over HTTP on loopback by every role at once for minutes,
with faults injected halfway, and then checked for what it must never do.

The mix is what the demo's people do all day: caseworkers, ISVAs and supervisors list and open
cases, log contacts, add notes and record consent; police liaisons list and open their shares
and post updates. Every write carries a marker of its own and an ``Idempotency-Key`` (retried
with the same key when the answer was lost to a fault), so afterwards each acknowledged write
can be found in the database exactly once.

Halfway, one after another: the cache (a private ``redis-server`` the operator names, stopped
and started again by the soak), a Celery worker the soak runs (killed with SIGKILL while beat's
scans go on, and replaced), and a storm of database connections. A 5xx inside a fault's window
(the fault and a few seconds after) is expected; one outside is a failure.

Checks: every write that got a 2xx is in the database once; the audit chains verify; no
reminder is open twice and no message was handed over twice; no 5xx outside the fault windows.
The report gives throughput, p50/p99 per kind, answers by status, audited writes per second
for the busiest organisation and the peak memory of the API and worker processes."""

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
# In the order clients are given them, so that even two clients cover a charity and a force.
PEOPLE = [
    "demo.caseworker",
    "demo.police",
    "demo.isva",
    "north.caseworker",
    "demo.supervisor",
    "north.supervisor",
]
POLICE = {"demo.police"}
GRACE = 5.0  # seconds after a fault ends during which its 5xx are still its own


class Refused(Exception):
    """The soak will not start: one line says why."""


@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer (connection refused, reset, timed out)
    at: float
    seconds: float


@dataclass
class Write:
    kind: str
    marker: str
    record_id: str
    organisation: str


@dataclass
class Person:
    username: str
    token: str
    organisation: str
    police: bool
    cases: list[str] = field(default_factory=list)
    postable: list[str] = field(default_factory=list)  # a liaison's shares that take updates


@dataclass
class Window:
    name: str
    start: float
    end: float = 0.0


@dataclass
class Report:
    seconds: float
    samples: list[Sample]
    writes: list[Write]
    windows: list[Window]
    checks: dict[str, tuple[bool, str]]
    memory: dict[str, tuple[int, int]]  # role: (processes, peak RSS of the largest in KiB)
    notes: list[str]
    locks: list[tuple[int, int]] = field(default_factory=list)  # (held, waiting) samples

    @property
    def passed(self) -> bool:
        return all(ok for ok, _ in self.checks.values())


# --- start-up --------------------------------------------------------------------------------


def check_target(base_url: str) -> str:
    """The base URL without a trailing slash, if its host is loopback or a configured test
    host; otherwise refused."""
    parsed = urlparse(base_url)
    host = parsed.hostname or ""
    if parsed.scheme not in ("http", "https") or not host:
        raise Refused(f"{base_url!r} is not an http(s) URL.")
    allowed = set(getattr(settings, "SOAK_TEST_HOSTS", []))
    if host not in LOOPBACK and host not in allowed:
        raise Refused(
            f"Refusing to soak {host}: only loopback, or a host named in SOAK_TEST_HOSTS, may "
            "be driven this hard."
        )
    return base_url.rstrip("/")


def unreachable(base: str, cache_port: int | None) -> list[str]:
    """One line for each dependency that does not answer now."""
    import redis
    from django.db import connection

    lines = []
    try:
        urllib.request.urlopen(f"{base}/healthz", timeout=5)  # noqa: S310  # nosec B310 (http(s) only: check_target)
    except (OSError, ValueError) as error:
        lines.append(f"The API at {base} does not answer ({_reason(error)}).")
    try:
        connection.ensure_connection()
    except Exception as error:
        lines.append(f"The database does not answer ({_reason(error)}).")
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=3).ping()
    except Exception as error:
        lines.append(
            f"The broker at {_safe(settings.CELERY_BROKER_URL)} does not answer ({_reason(error)})."
        )
    if cache_port is not None:
        try:
            redis.Redis(host="127.0.0.1", port=cache_port, socket_timeout=3).ping()
        except Exception as error:
            lines.append(
                f"The private cache on port {cache_port} does not answer ({_reason(error)})."
            )
    return lines


def _reason(error: BaseException) -> str:
    text = str(getattr(error, "reason", "") or error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:160]


def _safe(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.hostname}:{parsed.port or ''}{parsed.path}"


# --- HTTP ------------------------------------------------------------------------------------


def request(
    method: str,
    url: str,
    *,
    token: str | None = None,
    body: dict | None = None,
    key: str | None = None,
    timeout: float = 30,
) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if key:
        headers["Idempotency-Key"] = key
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(call, timeout=timeout) as response:  # noqa: S310  # nosec B310
            raw = response.read()
            return response.status, _json(raw)
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read())
    except (OSError, ValueError):
        return 0, {}


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"items": value}


def _rows(payload: dict) -> list[dict]:
    rows = payload.get("results", payload.get("items", []))
    return [row for row in rows if isinstance(row, dict)]


# The people of one charity only: all their writes take the one audit chain lock.
ONE_ORGANISATION = ["demo.caseworker", "demo.isva", "demo.supervisor"]


def sign_in(base: str, password: str, usernames: list[str] = PEOPLE) -> list[Person]:
    people = []
    from casework.accounts.models import Organisation

    for username in usernames:
        status, payload = request(
            "POST", f"{base}/api/v1/auth/login/", body={"username": username, "password": password}
        )
        if status != 200:
            raise Refused(
                f"{username} could not sign in (HTTP {status}): load the demo people first "
                "(python manage.py seed_demo) with the password the soak is given (DEMO_PASSWORD)."
            )
        organisation = str(
            Organisation.objects.filter(staff__username=username)
            .values_list("name", flat=True)
            .first()
        )
        person = Person(username, payload["token"], organisation, username in POLICE)
        path = "shared-cases" if person.police else "cases"
        status, page = request("GET", f"{base}/api/v1/{path}/?page_size=50", token=person.token)
        person.cases = [str(row["id"]) for row in _rows(page) if "id" in row]
        if person.police:
            # An intelligence-only share takes no updates (404): only the others are posted to.
            person.postable = [
                share
                for share in person.cases
                if request(
                    "GET", f"{base}/api/v1/shared-cases/{share}/updates/", token=person.token
                )[0]
                == 200
            ]
        else:
            person.cases = [c for c in person.cases if _open(base, person, c)]
        if not person.cases:
            raise Refused(
                f"{username} sees no {path.replace('-', ' ')} to work on: load the demo data "
                "(seed_demo)."
            )
        people.append(person)
    return people


def _open(base: str, person: Person, case_id: str) -> bool:
    status, case = request("GET", f"{base}/api/v1/cases/{case_id}/", token=person.token)
    return status == 200 and case.get("support_status") != "closed"


# --- the mix ---------------------------------------------------------------------------------


class Driver:
    def __init__(self, base: str, run: str, writes_only: bool = False) -> None:
        self.base = base
        self.run = run
        self.writes_only = writes_only
        self.samples: list[Sample] = []
        self.writes: list[Write] = []
        self.lock = threading.Lock()
        self.counter = 0

    def _marker(self) -> str:
        with self.lock:
            self.counter += 1
            return f"soak-{self.run}-{self.counter}"

    def _record(self, sample: Sample, write: Write | None = None) -> None:
        with self.lock:
            self.samples.append(sample)
            if write is not None:
                self.writes.append(write)

    def timed(
        self,
        kind: str,
        method: str,
        path: str,
        person: Person,
        body: dict | None = None,
        key: str | None = None,
    ) -> tuple[int, dict]:
        started = time.monotonic()
        status, payload = request(
            method, f"{self.base}{path}", token=person.token, body=body, key=key
        )
        self._record(Sample(kind, status, started, time.monotonic() - started))
        return status, payload

    def write(self, kind: str, path: str, person: Person, body: dict, marker: str) -> None:
        """A write with an Idempotency-Key, asked again with the same key while the answer
        is lost (no answer, 502, 503, 504) for up to three tries."""
        key = str(uuid.uuid4())
        for _ in range(3):
            status, payload = self.timed(kind, "POST", path, person, body, key)
            if 200 <= status < 300:
                record_id = str(payload.get("id", ""))
                with self.lock:
                    self.writes.append(Write(kind, marker, record_id, person.organisation))
                return
            if status not in (0, 502, 503, 504):
                return
            time.sleep(0.5)

    def staff_step(self, person: Person, rng: random.Random) -> None:
        case = rng.choice(person.cases)
        roll = rng.random() if not self.writes_only else 0.55 + rng.random() * 0.45
        if roll < 0.30:
            self.timed("case_list", "GET", "/api/v1/cases/?page_size=25", person)
        elif roll < 0.55:
            self.timed("case_detail", "GET", f"/api/v1/cases/{case}/", person)
        elif roll < 0.75:
            marker = self._marker()
            self.write(
                "note_add",
                f"/api/v1/cases/{case}/notes/",
                person,
                {"body": marker, "visibility": "internal"},
                marker,
            )
        elif roll < 0.93:
            marker = self._marker()
            occurred = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
            body = {
                "occurred_at": occurred,
                "channel": "phone_call",
                "direction": "outbound",
                "outcome": "no_answer",
                "note": marker,
            }
            self.write("contact_add", f"/api/v1/cases/{case}/contacts/", person, body, marker)
        else:
            marker = self._marker()
            body = {"scope": "store_records", "granted": True, "method": "verbal", "note": marker}
            self.write("consent_record", f"/api/v1/cases/{case}/consents/", person, body, marker)

    def police_step(self, person: Person, rng: random.Random) -> None:
        share = rng.choice(person.cases)
        roll = rng.random() if not self.writes_only else 0.7 + rng.random() * 0.3
        if roll < 0.4:
            self.timed("shared_list", "GET", "/api/v1/shared-cases/?page_size=25", person)
        elif roll < 0.7:
            self.timed("shared_detail", "GET", f"/api/v1/shared-cases/{share}/", person)
        elif person.postable:
            marker = self._marker()
            body = {"kind": "investigation", "body": marker}
            share = rng.choice(person.postable)
            self.write(
                "police_update", f"/api/v1/shared-cases/{share}/updates/", person, body, marker
            )
        else:
            self.timed("shared_detail", "GET", f"/api/v1/shared-cases/{share}/", person)

    def loop(self, person: Person, until: float, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - a load mix, not a secret
        step = self.police_step if person.police else self.staff_step
        while time.monotonic() < until:
            step(person, rng)


# --- faults ----------------------------------------------------------------------------------


class Worker:
    """A Celery worker the soak runs (and kills), in a process group of its own."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.process: subprocess.Popen | None = None
        self.peak_kib = 0

    def start(self) -> None:
        out = self.log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "casework",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "-Q",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "-n",
                f"soak-{os.getpid()}-{time.monotonic_ns()}@localhost",
                "--without-gossip",
                "--without-mingle",
            ],
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()

    def pids(self) -> list[int]:
        if not self.process or self.process.poll() is not None:
            return []
        return [self.process.pid, *children(self.process.pid)]

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


def stop_cache(port: int) -> None:
    import redis

    # It closes the connection as it goes.
    with contextlib.suppress(redis.ConnectionError):
        redis.Redis(host="127.0.0.1", port=port, socket_timeout=3).shutdown(nosave=True)


def start_cache(port: int) -> subprocess.Popen:
    import redis

    process = subprocess.Popen(  # noqa: S603
        [  # noqa: S607
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.2)
    return process


def connection_storm(size: int, hold: float) -> int:
    """Opens up to ``size`` database connections at once (leaving ten free of the server's
    limit), each busy for ``hold`` seconds. Returns how many it opened."""
    import psycopg
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int, count(*) FROM pg_stat_activity"
        )
        limit, used = cursor.fetchone()
    size = max(0, min(size, limit - used - 10))
    db = settings.DATABASES["default"]
    opened = []

    def hog() -> None:
        try:
            with psycopg.connect(
                host=db["HOST"] or "127.0.0.1",
                port=db["PORT"] or 5432,
                user=db["USER"],
                password=db.get("PASSWORD") or None,
                dbname=db["NAME"],
                connect_timeout=5,
            ) as conn:
                opened.append(1)
                conn.execute("SELECT pg_sleep(%s)", [hold])
        except psycopg.Error:
            pass

    threads = [threading.Thread(target=hog) for _ in range(size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=hold + 30)
    connection.close()  # this thread's own
    return len(opened)


# --- memory ----------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def listening(port: int) -> list[int]:
    """The processes holding a socket that listens on ``port`` (gunicorn's master and
    workers share it)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(parts[9])
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
        except OSError:
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            pids.append(int(entry.name))
    return pids


def peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# Advisory locks of this database (the audit chains' are the ones taken under load): how many
# are held now, and how many sessions wait for one.
LOCKS = (
    "SELECT count(*) FILTER (WHERE granted), count(*) FILTER (WHERE NOT granted) FROM pg_locks "
    "WHERE locktype = 'advisory' "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)

# --- the checks ------------------------------------------------------------------------------


def check_writes(writes: list[Write], since) -> tuple[bool, str]:
    """Each acknowledged write's record exists, and its marker is found exactly once among
    what was written of its kind since the soak began."""
    from casework.cases.models import ContactLogEntry, Note
    from casework.sharing.models import ConsentDecision, SharedUpdate

    sources: dict[str, tuple[object, str]] = {
        "note_add": (Note, "body"),
        "contact_add": (ContactLogEntry, "note"),
        "consent_record": (ConsentDecision, "note"),
        "police_update": (SharedUpdate, "body"),
    }
    problems = []
    for kind, (model, text) in sources.items():
        acknowledged = [w for w in writes if w.kind == kind]
        found = Counter(
            value
            for value in model._base_manager.filter(**{f"{_created(model)}__gte": since})
            .values_list(text, flat=True)
            .iterator()  # type: ignore[attr-defined]
            if value and value.startswith("soak-")
        )
        missing = [w.marker for w in acknowledged if found[w.marker] == 0]
        doubled = [marker for marker, n in found.items() if n > 1]
        if missing:
            problems.append(f"{len(missing)} acknowledged {kind} missing")
        if doubled:
            problems.append(f"{len(doubled)} {kind} stored twice")
    total = len(writes)
    return (not problems, "; ".join(problems) or f"all {total} acknowledged writes stored once")


def _created(model) -> str:
    names = {f.name for f in model._meta.concrete_fields}
    for candidate in ("created_at", "recorded_at"):
        if candidate in names:
            return candidate
    raise LookupError(model)


def check_chains() -> tuple[bool, str]:
    from casework.audit.verification import chains, verify_chain

    broken, total = [], 0
    for name in chains():
        checked, link = verify_chain(name, head=None)
        total += checked
        if link:
            broken.append(f"{link.chain} at {link.sequence}: {link.problem}")
    return (not broken, "; ".join(broken) or f"{total} events verified")


def check_duplicates() -> tuple[bool, str]:
    from django.db.models import Count

    from casework.reminders.choices import ACTIVE_STATUSES
    from casework.reminders.models import GatewayDelivery, Reminder

    reminders = (
        Reminder.objects.filter(status__in=ACTIVE_STATUSES)
        .values("dedup_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    messages = (
        GatewayDelivery.objects.values("message_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    ok = reminders == 0 and messages == 0
    return ok, f"{reminders} reminder(s) open twice, {messages} message(s) handed over twice"


def check_5xx(samples: list[Sample], windows: list[Window]) -> tuple[bool, str]:
    def inside(sample: Sample) -> bool:
        # A request is the fault's when it was in flight at any moment of the fault's window.
        return any(
            sample.at <= w.end + GRACE and sample.at + sample.seconds >= w.start for w in windows
        )

    failed = [s for s in samples if s.status >= 500 or s.status == 0]
    outside = [s for s in failed if not inside(s)]
    during = len(failed) - len(outside)
    return (not outside, f"{len(outside)} outside the fault windows, {during} inside them")


# --- the run ---------------------------------------------------------------------------------


def run(
    *,
    base: str,
    minutes: float,
    concurrency: int,
    password: str,
    cache_port: int | None,
    faults: bool,
    writes_only: bool,
    storm: int,
    one_organisation: bool = False,
    log_dir: Path,
    say: Callable[[str], None],
) -> Report:
    from celery import current_app
    from django.utils import timezone

    problems = unreachable(base, cache_port)
    if problems:
        raise Refused("\n".join(problems))
    people = sign_in(base, password, ONE_ORGANISATION if one_organisation else PEOPLE)
    run_id = uuid.uuid4().hex[:8]
    driver = Driver(base, run_id, writes_only=writes_only)
    since = timezone.now()
    seconds = minutes * 60
    began = time.monotonic()
    until = began + seconds
    log_dir.mkdir(parents=True, exist_ok=True)
    worker = Worker(log_dir / f"soak-worker-{run_id}.log")
    workers = [worker]
    worker.start()
    notes: list[str] = []
    windows: list[Window] = []
    api = listening(urlparse(base).port or 80)
    peaks: dict[str, dict[int, int]] = defaultdict(dict)
    restarted_cache: subprocess.Popen | None = None

    def sample_memory() -> None:
        for pid in api:
            peaks["api"][pid] = max(peaks["api"].get(pid, 0), peak_kib(pid))
        for w in workers:
            for pid in w.pids():
                peaks["worker"][pid] = max(peaks["worker"].get(pid, 0), peak_kib(pid))

    def beat() -> None:
        """Beat's work during the soak: the scans and sweeps, every few seconds."""
        while time.monotonic() < until:
            for name in ("scan_reminders", "send_due_messages", "recover_stuck_messages"):
                try:
                    current_app.send_task(f"casework.reminders.tasks.{name}")
                except Exception as error:  # a broker away for a moment: the next tick sends it
                    notes.append(
                        f"beat's {name} not sent at {time.monotonic() - began:.0f} s: "
                        f"{_reason(error)}"
                    )
            sample_memory()
            time.sleep(5)

    def inject() -> None:
        nonlocal restarted_cache
        time.sleep(max(0.0, seconds / 2 - 5))
        if cache_port is not None:
            window = Window("cache", time.monotonic())
            windows.append(window)
            stop_cache(cache_port)
            time.sleep(min(10.0, seconds / 10))
            restarted_cache = start_cache(cache_port)
            window.end = time.monotonic()
            say(f"fault: cache on port {cache_port} stopped and started again")
        else:
            notes.append("cache fault skipped: no private cache named (--private-cache-port)")
        window = Window("worker", time.monotonic())
        windows.append(window)
        sample_memory()
        worker.kill()
        replacement = Worker(log_dir / f"soak-worker-{run_id}-2.log")
        workers.append(replacement)
        replacement.start()
        window.end = time.monotonic()
        say("fault: a worker killed with SIGKILL and replaced")
        window = Window("database connections", time.monotonic())
        windows.append(window)
        opened = connection_storm(storm, hold=min(5.0, seconds / 10))
        window.end = time.monotonic()
        say(f"fault: a storm of {opened} database connections")

    threads = [
        threading.Thread(target=driver.loop, args=(people[n % len(people)], until, n), daemon=True)
        for n in range(concurrency)
    ]
    lock_samples: list[tuple[int, int]] = []

    def waiting_for_locks() -> None:
        """Five times a second: whether an advisory lock (an audit chain's) is held, and how
        many sessions wait for one."""
        from django.db import connection

        from casework.core.database_roles import as_owner

        try:
            # As the owner: the runtime role is not shown what other sessions wait for.
            with as_owner(), connection.cursor() as cursor:
                while time.monotonic() < until:
                    cursor.execute(LOCKS)
                    held, waiting = cursor.fetchone()
                    lock_samples.append((held, waiting))
                    time.sleep(0.2)
        except Exception as error:  # the storm may refuse it a connection for a moment
            notes.append(f"lock sampling stopped: {_reason(error)}")
        finally:
            connection.close()

    threads.append(threading.Thread(target=beat, daemon=True))
    threads.append(threading.Thread(target=waiting_for_locks, daemon=True))
    if faults:
        threads.append(threading.Thread(target=inject, daemon=True))
    say(f"soak {run_id}: {concurrency} clients for {minutes:g} minute(s) against {base}")
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 120)
        elapsed = time.monotonic() - began
        # The last scans and sends finish before anything is counted.
        for name in ("scan_reminders", "send_due_messages"):
            try:
                current_app.send_task(f"casework.reminders.tasks.{name}").get(timeout=120)
            except Exception as error:
                notes.append(f"the final {name} did not finish: {_reason(error)}")
        sample_memory()
    finally:
        for w in workers:
            w.stop()
    checks = {
        "every acknowledged write stored once": check_writes(driver.writes, since),
        "audit chains verify": check_chains(),
        "no reminder or message twice": check_duplicates(),
        "no 5xx outside the fault windows": check_5xx(driver.samples, windows),
    }
    memory = {role: (len(p), max(p.values(), default=0)) for role, p in peaks.items()}
    if restarted_cache is not None:
        notes.append(
            f"the private cache now runs as process {restarted_cache.pid}, started by the soak"
        )
    return Report(
        elapsed, driver.samples, driver.writes, windows, checks, memory, notes, lock_samples
    )


def percentile(values: list[float], q: int) -> float:
    """The ``q``th percentile of sorted ``values`` (nearest rank)."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, max(0, round(q / 100 * len(values)) - 1))]


def render(report: Report) -> list[str]:
    lines = []
    total = len(report.samples)
    lines.append(
        f"{total} requests in {report.seconds:.0f} s: {total / report.seconds:.1f} requests/s"
    )
    by_kind: dict[str, list[float]] = defaultdict(list)
    for sample in report.samples:
        if 200 <= sample.status < 300:
            by_kind[sample.kind].append(sample.seconds * 1000)
    lines.append(f"{'kind':<16}{'2xx':>8}{'p50 ms':>10}{'p99 ms':>10}")
    for kind in sorted(by_kind):
        values = sorted(by_kind[kind])
        lines.append(
            f"{kind:<16}{len(values):>8}"
            f"{percentile(values, 50):>10.0f}{percentile(values, 99):>10.0f}"
        )
    refused = Counter((s.kind, s.status) for s in report.samples if not 200 <= s.status < 300)
    if refused:
        lines.append(
            "not 2xx by kind: "
            + ", ".join(
                f"{kind} {status or 'no answer'}: {n}"
                for (kind, status), n in sorted(refused.items())
            )
        )
    if report.locks:
        held = sum(1 for h, _ in report.locks if h) / len(report.locks)
        waiting = sum(w for _, w in report.locks) / len(report.locks)
        most = max(w for _, w in report.locks)
        lines.append(
            f"audit chain locks: held in {held:.0%} of samples, "
            f"{waiting:.1f} session(s) waiting on average, at most {most}"
        )
    statuses = Counter(sample.status for sample in report.samples)
    lines.append(
        "answers by status: "
        + ", ".join(f"{'no answer' if s == 0 else s}: {n}" for s, n in sorted(statuses.items()))
    )
    writes = Counter(w.organisation for w in report.writes)
    if writes:
        organisation, count = writes.most_common(1)[0]
        lines.append(
            f"audited writes: {len(report.writes) / report.seconds:.1f}/s in all; "
            f"{count / report.seconds:.1f}/s for the busiest organisation ({organisation})"
        )
    for role, (processes, kib) in sorted(report.memory.items()):
        lines.append(f"peak memory, {role}: {processes} process(es), largest {kib / 1024:.0f} MiB")
    for window in report.windows:
        lines.append(f"fault window {window.name}: {max(0.0, window.end - window.start):.1f} s")
    lines.extend(f"note: {note}" for note in report.notes)
    for name, (ok, detail) in report.checks.items():
        lines.append(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
    return lines
