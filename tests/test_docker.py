"""The compose file parses, and what it runs is what the project really provides."""

import importlib
import os
import re
import subprocess
import sys
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


def test_compose_stores_attachments_in_minio_and_scans_them_with_clamav():
    services = compose()["services"]
    assert {"minio", "minio-setup", "clamav"} <= set(services)
    for name in ("minio", "clamav"):
        assert "healthcheck" in services[name], name
        assert "ports" not in services[name], name
    environment = services["api"]["environment"]
    assert environment["CLAMAV_ADDRESS"] == "clamav:3310"
    assert environment["ATTACHMENTS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert environment["ATTACHMENTS_S3_BUCKET"] in services["minio-setup"]["command"][0]
    assert services["api"]["depends_on"]["clamav"]["condition"] == "service_healthy"


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


def _seconds(period: str) -> int:
    match = re.fullmatch(r"(\d+)s", period)
    assert match, period
    return int(match.group(1))


def test_a_stopped_api_or_worker_is_given_time_to_finish_what_it_holds():
    from django.conf import settings

    from casework import gunicorn_conf

    services = compose()["services"]
    assert _seconds(services["api"]["stop_grace_period"]) > gunicorn_conf.graceful_timeout
    assert _seconds(services["worker"]["stop_grace_period"]) > settings.CELERY_TASK_TIME_LIMIT


def test_entrypoint_runs_the_projects_real_wsgi_and_celery_apps():
    text = (DOCKER / "entrypoint.sh").read_text()
    assert "gunicorn casework.wsgi" in text
    assert text.count("celery -A casework") == 2
    wsgi = importlib.import_module("casework.wsgi")
    assert callable(wsgi.application)
    from casework.celery import app

    assert app.main == "casework"


def test_the_wsgi_app_keeps_what_it_loaded_out_of_the_garbage_collectors_full_collections():
    # In a process of its own: freezing is for a server's process, not this one.
    probe = (
        "import gc, sys; import casework.wsgi; print(gc.get_freeze_count(), "
        "'api.urls' in sys.modules, 'console.views.cases' in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "casework.settings.test"},
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, urls, views = result.stdout.split()[-3:]
    # The URLs and the views they import are loaded before the freeze, so they are frozen too.
    assert (urls, views) == ("True", "True")
    assert int(frozen) > 100_000


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


def test_the_api_trusts_forwarded_headers_from_the_proxy_alone():
    """Published on loopback only, for a proxy on the host, whose address (the network's
    gateway) is the only one gunicorn takes X-Forwarded-* from; never "*"."""
    services = compose()
    api = services["services"]["api"]
    assert all(str(port).startswith("127.0.0.1:") for port in api["ports"])
    trusted = api["environment"]["FORWARDED_ALLOW_IPS"]
    assert "*" not in trusted
    gateway = services["networks"]["default"]["ipam"]["config"][0]["gateway"]
    assert trusted == f"${{PROXY_ADDRESS:-{gateway}}}"
    for name, service in services["services"].items():
        assert "*" not in str(service.get("environment", {}).get("FORWARDED_ALLOW_IPS", "")), name
    assert "FORWARDED_ALLOW_IPS=*" not in (DOCKER / "env.example").read_text()


def test_the_entrypoint_refuses_to_trust_every_address():
    result = subprocess.run(  # noqa: S603
        ["sh", str(DOCKER / "entrypoint.sh"), "api"],  # noqa: S607
        env={"FORWARDED_ALLOW_IPS": "*", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 64
    assert "never '*'" in result.stderr


def test_the_image_leaves_the_benchmark_tooling_out():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    install = dockerfile.index("scripts/install_locked.py --runtime")
    assert dockerfile.index("rm -rf casework/loadtest") < install
