"""Which database role each environment runs as: production signs in as the runtime role itself
and refuses anything else; development and tests switch to it on every connection."""

import json

from .test_settings import PRODUCTION_ENV, manage

PROBE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; "
    "print('PROBE' + json.dumps([db['USER'], db['OPTIONS'].get('assume_role'), "
    "settings.DATABASE_APP_ROLE]))"
)


def probe(env: dict[str, str]) -> list:
    result = manage("shell", "-c", PROBE, env=env)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("PROBE"))
    return json.loads(line.removeprefix("PROBE"))


def test_production_runs_as_the_role_it_signs_in_as_without_switching():
    assert probe(PRODUCTION_ENV) == ["casework", None, "casework"]


def test_production_refuses_a_sign_in_that_would_switch_to_the_runtime_role():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/casework"}
    result = manage("check", env={**env, "DATABASE_APP_ROLE": "casework_app"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_APP_ROLE" in result.stderr


def test_development_switches_a_postgres_sign_in_to_the_runtime_role():
    env = {
        "DJANGO_SETTINGS_MODULE": "casework.settings.dev",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/casework",
    }
    assert probe(env) == ["postgres", "casework_app", "casework_app"]
    signed_in_as_runtime = {**env, "DATABASE_URL": "postgres://casework_app@127.0.0.1/casework"}
    assert probe(signed_in_as_runtime) == ["casework_app", None, "casework_app"]


def test_the_audit_head_export_interval_must_be_at_least_a_minute():
    env = {"DJANGO_SETTINGS_MODULE": "casework.settings.dev", "AUDIT_HEAD_EXPORT_MINUTES": "0"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "AUDIT_HEAD_EXPORT_MINUTES must be at least 1" in result.stderr
