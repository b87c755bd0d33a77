"""A real Celery worker process on the real Redis broker, for tests of what only a worker does.

The worker runs the test settings against the test database (its name is only known once
pytest-django has created it), on a broker database and queue of its own. Tests that need the
worker to see their rows use ``@pytest.mark.django_db(transaction=True)``, so the rows are
committed."""

import os
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
    def __init__(self, *, concurrency: int = 2) -> None:
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.log_path = ROOT / "var" / "test-worker.log"
        self.hostname = f"test-worker-{os.getpid()}@localhost"

    def start(self) -> None:
        from casework.celery import app

        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        app.control.purge()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "casework.settings.test",
            "DATABASE_URL": _database_url(),
            "TEST_CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "TEST_CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        }
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
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "-n",
                self.hostname,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early; see {self.log_path}")
            if app.control.ping(destination=[self.hostname], timeout=0.5):
                return
        raise RuntimeError(f"worker did not answer within 60 s; see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    worker = WorkerProcess()
    worker.start()
    yield worker
    worker.stop()
