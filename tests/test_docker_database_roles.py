"""The compose file keeps the owner's credentials in the migration step: the API, workers and beat
sign in as the runtime role with a password of its own, and the migration step sets that role
up before migrating."""

import re
from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parent.parent / "docker"
APPLICATION = ("api", "worker", "beat")


def services() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]


def signs_in_as(url: str) -> tuple[str, str]:
    """User and password of a URL whose password is a compose variable (no URL parser takes
    the slash of its error message)."""
    found = re.fullmatch(r"postgres://([^:@]+):(\$\{[^}]+\})@postgres:5432/casework", url)
    assert found, url
    return found.group(1), found.group(2)


def test_the_application_signs_in_as_the_runtime_role_with_its_own_password():
    owner = services()["postgres"]["environment"]
    for name in APPLICATION:
        environment = services()[name]["environment"]
        user, password = signs_in_as(environment["DATABASE_URL"])
        assert user == environment["DATABASE_APP_ROLE"] == "casework_app", name
        assert user != owner["POSTGRES_USER"]
        assert password == "${DATABASE_APP_PASSWORD:?set DATABASE_APP_PASSWORD in docker/.env}"


def test_only_the_migration_step_holds_the_owners_credentials():
    owner = services()["postgres"]["environment"]
    migrate = services()["migrate"]["environment"]
    user, password = signs_in_as(migrate["DATABASE_OWNER_URL"])
    assert (user, password) == (owner["POSTGRES_USER"], owner["POSTGRES_PASSWORD"])
    for name in APPLICATION:
        environment = services()[name]["environment"]
        assert "DATABASE_OWNER_URL" not in environment, name
        # docker/.env is every container's env_file; the owner's password in it is blanked.
        assert environment["POSTGRES_PASSWORD"] == "", name


def test_the_migration_step_sets_up_the_roles_then_migrates():
    text = (DOCKER / "entrypoint.sh").read_text()
    step = re.search(r"^  migrate\)\n(.*?);;", text, re.MULTILINE | re.DOTALL).group(1)
    commands = [line.strip() for line in step.splitlines() if "manage.py" in line]
    assert commands == [
        "python manage.py setup_database_roles",
        "exec python manage.py migrate --no-input",
    ]


def test_the_workers_export_audit_heads_to_a_volume_of_their_own():
    worker = services()["worker"]
    path = worker["environment"]["AUDIT_HEAD_EXPORT_PATH"]
    assert any(path.startswith(volume.split(":")[1] + "/") for volume in worker["volumes"])
    assert "/var/lib/casework" in (DOCKER / "Dockerfile").read_text()


def test_the_example_environment_asks_for_both_passwords():
    example = (DOCKER / "env.example").read_text()
    for name in ("POSTGRES_PASSWORD", "DATABASE_APP_PASSWORD"):
        assert re.search(rf"^{name}=$", example, re.MULTILINE), name
