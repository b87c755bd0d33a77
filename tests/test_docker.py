"""The compose file parses, and what it runs is what the project really provides."""

import importlib
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"


def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def entrypoint_roles() -> set[str]:
    text = (DOCKER / "entrypoint.sh").read_text()
    return set(re.findall(r"^\s{2}([a-z]+)\)$", text, re.MULTILINE))


def test_compose_has_every_service_with_a_health_check():
    services = compose()["services"]
    assert {"postgres", "redis", "api", "worker", "beat", "migrate"} <= set(services)
    for name in ("postgres", "redis", "api", "worker", "beat"):
        assert "healthcheck" in services[name], name


def test_compose_commands_are_roles_the_entrypoint_knows():
    services = compose()["services"]
    roles = entrypoint_roles()
    assert {"api", "worker", "beat", "migrate"} <= roles
    for name in ("api", "worker", "beat", "migrate"):
        assert services[name]["command"][0] in roles, name
        assert services[name]["build"]["dockerfile"] == "docker/Dockerfile"


def test_the_worker_service_can_be_scaled():
    worker = compose()["services"]["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker


def test_entrypoint_runs_the_projects_real_wsgi_and_celery_apps():
    text = (DOCKER / "entrypoint.sh").read_text()
    assert "gunicorn casework.wsgi" in text
    assert text.count("celery -A casework") == 2
    wsgi = importlib.import_module("casework.wsgi")
    assert callable(wsgi.application)
    from casework.celery import app

    assert app.main == "casework"


def test_the_image_is_multi_stage_and_runs_unprivileged():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) >= 2
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.MULTILINE):
        for path in source.split():
            assert (ROOT / path).exists(), path
    assert "casework.settings.prod" in dockerfile


def test_compose_carries_no_default_secrets():
    text = (DOCKER / "compose.yaml").read_text()
    assert "DJANGO_SECRET_KEY" not in text
    assert re.search(r"POSTGRES_PASSWORD:\s*\$\{POSTGRES_PASSWORD:\?", text)
