"""The soak (``manage.py soak``) against a live gunicorn the test starts, its cache on a private
redis-server the soak stops and starts again halfway: a very short run, whose report's checks
all pass. And what it refuses: a host that is not loopback, and dependencies that do not
answer (one line each, no traceback)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from casework.cases.models import Note

from .celery_worker import WorkerProcess
from .support.live_server import Gunicorn
from .support.smtp_sink import free_port
from .tasks.test_reminder_worker import RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.CASEWORK_DEMO_ALLOWED = True
    call_command("seed_demo", stdout=StringIO())


def test_a_short_soak_with_faults_passes_every_check(demo, monkeypatch):
    cache = RedisServer(free_port())
    cache.start()
    server = Gunicorn(
        workers=2,
        env={
            "TEST_CACHE_URL": f"redis://127.0.0.1:{cache.port}/0",
            "THROTTLE_PERSON": "100000/minute",
        },
    )
    # The soak's own worker runs with this process's environment: the test database's.
    for name, value in WorkerProcess().environment().items():
        monkeypatch.setenv(name, value)
    out = StringIO()
    try:
        server.start()
        try:
            call_command(
                "soak",
                minutes=0.25,
                concurrency=3,
                base_url=server.base,
                private_cache_port=cache.port,
                storm=8,
                stdout=out,
            )
        except CommandError:
            pytest.fail(f"the soak reported a failure:\n{out.getvalue()}")
    finally:
        server.stop()
        from casework.loadtest.soak import stop_cache

        stop_cache(cache.port)
        cache.stop()
    report = out.getvalue()
    for check in (
        "every acknowledged write stored once",
        "audit chains verify",
        "no reminder or message twice",
        "no 5xx outside the fault windows",
    ):
        assert f"PASS  {check}" in report, report
    assert "FAIL" not in report
    assert "fault: cache on port" in report
    assert "fault: a worker killed" in report
    assert "requests/s" in report and "p99 ms" in report
    assert "peak memory, api" in report
    assert Note.objects.filter(created_at__isnull=False).exists()


@pytest.mark.parametrize("url", ["http://10.0.0.5:8000", "https://casework.example.org"])
def test_a_soak_at_anything_but_loopback_is_refused(url):
    with pytest.raises(CommandError, match="Refusing to soak"):
        call_command("soak", minutes=0.1, base_url=url)


def test_a_configured_test_host_is_allowed_past_the_refusal(settings):
    settings.SOAK_TEST_HOSTS = ["staging.example.test"]
    with pytest.raises(CommandError) as refused:
        call_command("soak", minutes=0.1, base_url="http://staging.example.test:1")
    assert "Refusing" not in str(refused.value)


def test_dependencies_that_do_not_answer_give_one_line_each(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    api, cache = free_port(), free_port()
    with pytest.raises(CommandError) as refused:
        call_command(
            "soak", minutes=0.1, base_url=f"http://127.0.0.1:{api}", private_cache_port=cache
        )
    lines = str(refused.value).splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"The API at http://127.0.0.1:{api} does not answer")
    assert lines[1].startswith("The broker at redis://127.0.0.1:")
    assert lines[2].startswith(f"The private cache on port {cache} does not answer")
    assert "Traceback" not in str(refused.value)


def test_a_failure_counts_as_the_faults_only_if_it_was_in_flight_during_it():
    from casework.loadtest.soak import GRACE, Sample, Window, check_5xx

    window = Window("cache", 100.0)
    window.end = 110.0
    in_flight = Sample("case list", 500, at=99.0, seconds=2.0)  # sent before, failed during
    after = Sample("case list", 503, at=110.0 + GRACE + 1, seconds=0.1)
    before = Sample("case list", 500, at=90.0, seconds=1.0)

    assert check_5xx([in_flight], [window]) == (True, "0 outside the fault windows, 1 inside them")
    ok, said = check_5xx([in_flight, after, before], [window])
    assert not ok and said == "2 outside the fault windows, 1 inside them"
