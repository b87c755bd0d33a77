"""Management commands: organisations, staff and API keys from the command line, and the demo."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from casework.accounts.models import ApiKey, Organisation, User
from casework.attachments.models import Attachment, AttachmentShare

from .conftest import client_for_key

pytestmark = pytest.mark.django_db


def test_create_organisation_staff_and_api_key(monkeypatch, capsys):
    call_command("create_organisation", name="POW Nottingham", code="POW", kind="charity")
    monkeypatch.setenv("CASEWORK_STAFF_PASSWORD", "a-long-enough-passphrase")
    call_command("create_staff", organisation="pow", username="sam", role="supervisor")
    user = User.objects.get(username="sam")
    assert user.organisation.code == "POW" and user.role == "supervisor"
    assert user.check_password("a-long-enough-passphrase")
    capsys.readouterr()
    call_command("create_api_key", organisation="POW", name="Form", scopes=["referrals:write"])
    output = capsys.readouterr().out
    secret = output.split("Key (shown once): ")[1].strip()
    assert client_for_key(secret).get("/api/v1/me/").status_code == 200
    call_command("revoke_api_key", ApiKey.objects.get().prefix)
    assert client_for_key(secret).get("/api/v1/me/").status_code == 401


def test_create_staff_can_send_the_person_a_link_to_set_their_own_password(capsys):
    call_command("create_organisation", name="POW Nottingham", code="POW", kind="charity")
    with pytest.raises(CommandError, match="--email"):
        call_command(
            "create_staff", organisation="POW", username="kim", role="isva", send_password_link=True
        )
    call_command(
        "create_staff",
        organisation="POW",
        username="kim",
        role="isva",
        email="kim@example.org",
        send_password_link=True,
    )
    user = User.objects.get(username="kim")
    assert not user.has_usable_password()
    assert mail.outbox[-1].to == ["kim@example.org"]
    assert "set-password#uid=" in mail.outbox[-1].body


def test_commands_refuse_bad_input_with_a_message(monkeypatch):
    with pytest.raises(CommandError, match="code"):
        call_command("create_organisation", name="X", code="X-1", kind="charity")
    call_command("create_organisation", name="Force", code="FORCE", kind="police")
    monkeypatch.setenv("CASEWORK_STAFF_PASSWORD", "a-long-enough-passphrase")
    with pytest.raises(CommandError, match="role"):
        call_command("create_staff", organisation="FORCE", username="x", role="caseworker")
    with pytest.raises(CommandError, match="No organisation"):
        call_command("create_staff", organisation="NONE", username="x", role="caseworker")
    with pytest.raises(CommandError, match="scopes"):
        call_command("create_api_key", organisation="FORCE", name="x", scopes=["referrals:write"])
    assert not User.objects.filter(username="x").exists()


@pytest.mark.slow
def test_seed_demo_is_idempotent_and_prints_the_logins(capsys, attachment_storage):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (Organisation.objects.count(), User.objects.count(), Attachment.objects.count())
    call_command("seed_demo")
    assert (Organisation.objects.count(), User.objects.count(), Attachment.objects.count()) == (
        counts
    )
    # A demo case holds a file, one of them shared with the demo force.
    assert counts[2] == 2
    assert AttachmentShare.objects.filter(shared_case__police_force__code="DPOL").count() == 1
    for role in ("supervisor", "caseworker", "isva", "police_liaison"):
        assert User.objects.filter(username__startswith="demo.", role=role).exists()
        assert role in first
    assert "demo.caseworker" in first


def test_seed_demo_refuses_where_demo_data_is_not_allowed(settings):
    settings.CASEWORK_DEMO_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Organisation.objects.exists()
