"""A real Celery worker process on the real Redis broker, for tests of what only a worker does.

The worker runs the test settings against the test database (its name is only known once
pytest-django has created it), on a broker database and queue of its own. Tests that need the
worker to see their rows use ``@pytest.mark.django_db(transaction=True)``, so the rows are
committed."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    """A ``celery worker`` subprocess.

    By default it is the session's worker: the test settings, the test broker databases and the
    default queue. Tests that need a worker of their own (another message gateway, another
    broker, a worker they kill) give it a ``name`` (its node name and log file), a ``queue`` to
    consume so it never takes the session worker's tasks, ``env`` on top of the test settings'
    environment (``TEST_CELERY_BROKER_URL`` there points it at another broker) and, to be
    killed as a whole, ``own_process_group``. ``control`` is the Celery app that pings it (one
    configured for its broker). ``include`` names more modules for it to load
    (``tests.support.pause`` holds it still at a point a test chooses)."""

    def __init__(
        self,
        *,
        concurrency: int = 2,
        name: str | None = None,
        queue: str | None = None,
        env: dict[str, str] | None = None,
        own_process_group: bool = False,
        control=None,
        include: tuple[str, ...] = (),
    ) -> None:
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        suffix = f"-{name}" if name else ""
        self.log_path = ROOT / "var" / f"test-worker{suffix}.log"
        self.hostname = f"test-worker{suffix}-{os.getpid()}@localhost"
        self.queue = queue
        self.extra_env = dict(env or {})
        self.own_process_group = own_process_group
        self.control = control
        self.include = include

    def _app(self):
        if self.control is not None:
            return self.control
        from casework.celery import app

        return app

    def environment(self) -> dict[str, str]:
        """The test settings on the test database. Like the application under test, the worker
        signs in as the owner and runs as the runtime role (the test settings switch to it)."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "casework.settings.test",
            "DATABASE_URL": _database_url(),
            "DATABASE_APP_ROLE": settings.DATABASE_APP_ROLE,
            "TEST_CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "TEST_CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
            **self.extra_env,
        }

    def start(self, timeout: float = 60) -> None:
        app = self._app()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if self.queue is None:
            app.control.purge()
        env = self.environment()
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "casework",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={self.concurrency}",
                "-Q",
                self.queue or settings.CELERY_TASK_DEFAULT_QUEUE,
                "-n",
                self.hostname,
                "--without-gossip",
                "--without-mingle",
                *([f"--include={','.join(self.include)}"] if self.include else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=self.own_process_group,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early; see {self.log_path}")
            if self.answers(timeout=0.5):
                return
        self.stop()
        raise RuntimeError(f"worker did not answer within {timeout:.0f} s; see {self.log_path}")

    def answers(self, timeout: float = 0.5) -> bool:
        try:
            return bool(self._app().control.ping(destination=[self.hostname], timeout=timeout))
        except Exception:  # a broker that is down answers nothing
            time.sleep(timeout)
            return False

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a crash or an OOM kill would."""
        if self.process and self.process.poll() is None:
            if self.own_process_group:
                os.killpg(self.process.pid, signal.SIGKILL)
            else:
                self.process.kill()
            self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
                self.process.wait()
        if self.own_process_group and self.process:
            # Pool processes orphaned by a killed parent go with their group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    worker = WorkerProcess()
    worker.start()
    yield worker
    worker.stop()
