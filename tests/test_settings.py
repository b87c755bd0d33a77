"""Production settings: refuse to start without secrets, and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "casework.settings.prod",
    "DJANGO_SECRET_KEY": "x7#kq2!vLp9@rT4$wZ8&nB3^mC6*hF1(jD5)gS0_aE7+uY2=iO9-eR4~tW6",
    "DJANGO_ALLOWED_HOSTS": "casework.example.org",
    "DATABASE_URL": "postgres://casework@127.0.0.1:5432/casework",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/1",
    "FIELD_ENCRYPTION_KEYS": "k2026:cHJvZHVjdGlvbi10ZXN0LWZpZWxkLWtleS0zMmJ5dGU=",
    "FIELD_HASH_KEY": "cHJvZHVjdGlvbi10ZXN0LWhhc2gta2V5LTMyYnl0ZXM=",
    "AUDIT_HASH_KEYS": "a2026:cHJvZHVjdGlvbi10ZXN0LWF1ZGl0LWNoYWluLWtleSE=",
    "CHECKER_HASH_KEYS": "c2026:cHJvZHVjdGlvbi10ZXN0LWNoZWNrZXIta2V5LTMyYnk=",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_in_production_mode_reports_no_issue():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "FIELD_ENCRYPTION_KEYS",
        "FIELD_HASH_KEY",
        "AUDIT_HASH_KEYS",
        "CHECKER_HASH_KEYS",
    ],
)
def test_production_refuses_to_start_without_each_secret(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_time_zone_is_london_and_storage_is_utc():
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.USE_TZ is True


def test_celery_takes_json_only_and_acknowledges_late():
    from casework.celery import app

    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit < app.conf.task_time_limit
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > app.conf.task_time_limit


def test_tests_and_their_workers_use_the_test_broker_even_with_the_development_one_exported():
    """Celery takes CELERY_BROKER_URL from the environment over any configuration; the
    development scripts export it, and a test run must still stay on its own broker database."""
    from casework.celery import app
    from casework.settings.integrations import celery as development

    assert "CELERY_BROKER_URL" not in os.environ
    assert "CELERY_RESULT_BACKEND" not in os.environ
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.result_backend == settings.CELERY_RESULT_BACKEND
    assert settings.CELERY_BROKER_URL != development.CELERY_BROKER_URL


def test_every_beat_entry_expires_before_its_next_run():
    from casework.celery import app

    for name, entry in app.conf.beat_schedule.items():
        period = entry["schedule"].total_seconds()
        assert 0 < entry["options"]["expires"] < period, name


def test_a_malformed_encryption_key_stops_the_process_at_startup():
    env = {**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": "k1:dG9vLXNob3J0"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "casework.E001" in result.stderr + result.stdout


@pytest.mark.parametrize(
    "variable,committed",
    [
        ("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-used-in-production"),
        ("FIELD_ENCRYPTION_KEYS", "prod1:ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMzJieSE="),
        ("FIELD_HASH_KEY", "ZGV2ZWxvcG1lbnQtb25seS1oYXNoLWtleS0zMmJ5dGU="),
        ("AUDIT_HASH_KEYS", "a1:x,dev1:ZGV2ZWxvcG1lbnQtb25seS1hdWRpdC1jaGFpbi1rZXk="),
        ("CHECKER_HASH_KEYS", "c1:ZGV2ZWxvcG1lbnQtb25seS1jaGVja2VyLWtleS0zMmI="),
    ],
)
def test_production_refuses_a_key_committed_in_the_repository(variable, committed):
    """Under another id, or beside a key of its own, a development key is still refused."""
    result = manage("check", env={**PRODUCTION_ENV, variable: committed})
    assert result.returncode != 0
    assert "development key committed in the repository" in result.stderr
    assert variable in result.stderr


@pytest.mark.parametrize("entry_point", ["casework.wsgi", "casework.celery"])
def test_the_entry_points_choose_production_unless_told_otherwise(entry_point):
    """Started without DJANGO_SETTINGS_MODULE, gunicorn and Celery run production settings, and
    so refuse to start without production's secrets."""
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import {entry_point}; import django; django.setup()"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def production_settings(*names: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The named production settings, read as the process would start with ``env``."""
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    code = "from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{name}))" for name in names
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


TLS_ENV = {
    **PRODUCTION_ENV,
    "DATABASE_URL": "postgres://casework@db.internal:5432/casework"
    "?sslmode=verify-full&sslrootcert=/etc/casework/db-ca.pem",
    "CELERY_BROKER_URL": "rediss://redis.internal:6380/0?ssl_cert_reqs=required",
    "CELERY_RESULT_BACKEND": "rediss://redis.internal:6380/1?ssl_cert_reqs=required",
    "CACHE_URL": "rediss://redis.internal:6380/2?ssl_cert_reqs=required",
}


def test_production_keeps_the_tls_options_of_the_database_url():
    result = production_settings("DATABASES['default']['OPTIONS']", env=TLS_ENV)
    assert result.returncode == 0, result.stderr
    assert "'sslmode': 'verify-full'" in result.stdout
    assert "'sslrootcert': '/etc/casework/db-ca.pem'" in result.stdout
    assert "'connect_timeout': 5" in result.stdout


def test_production_can_insist_on_tls_to_postgresql_and_redis():
    insisting = {**TLS_ENV, "SERVICES_REQUIRE_TLS": "true"}
    assert manage("check", env=insisting).returncode == 0

    for variable, plain in (
        ("DATABASE_URL", "postgres://casework@db.internal:5432/casework?sslmode=require"),
        ("CELERY_BROKER_URL", "redis://redis.internal:6379/0"),
        ("CACHE_URL", "rediss://redis.internal:6380/2?ssl_cert_reqs=none"),
    ):
        result = manage("check", env={**insisting, variable: plain})
        assert result.returncode != 0, variable
        assert "SERVICES_REQUIRE_TLS" in result.stderr and variable in result.stderr


def test_the_benchmark_tooling_is_left_out_of_production():
    result = production_settings("INSTALLED_APPS", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "casework.loadtest" not in result.stdout
    assert "casework.loadtest" in settings.INSTALLED_APPS  # development and tests keep it
