"""New staff set their own first password through a link emailed to them: single-use, expiring,
never seen by the supervisor who added them."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from knox.models import AuthToken

from casework.accounts.models import User
from casework.audit.models import AuditEvent

from ..conftest import Api, client_for

pytestmark = pytest.mark.django_db

SET = "/api/v1/auth/set-password/"
NEW = {"username": "new.isva", "email": "new.isva@example.org", "role": "isva"}
CHOSEN = "tall-trees-and-quiet-water-2026"
LINK = re.compile(r"#uid=(?P<uid>[\w-]+)&token=(?P<token>[\w-]+)")


def link_in(message) -> dict:
    found = LINK.search(message.body)
    assert found, message.body
    return found.groupdict()


def add_staff(api: Api) -> tuple[User, dict]:
    response = api.post("/api/v1/staff/", NEW)
    assert response.status_code == 201, response.json()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [NEW["email"]]
    return User.objects.get(username=NEW["username"]), link_in(mail.outbox[0])


def sign_in(password: str):
    return Api().post("/api/v1/auth/login/", {"username": NEW["username"], "password": password})


def test_a_new_member_of_staff_sets_their_own_password_through_the_emailed_link(as_supervisor):
    user, link = add_staff(as_supervisor)
    assert not user.has_usable_password()
    assert link["token"] not in str(as_supervisor.get(f"/api/v1/staff/{user.pk}/").content)

    response = Api().post(SET, {**link, "new_password": CHOSEN})

    assert response.status_code == 204, response.content
    assert sign_in(CHOSEN).status_code == 200
    assert AuditEvent.objects.filter(action="auth.password_set", actor=user).exists()
    sent = AuditEvent.objects.get(action="staff.password_link_sent")
    assert link["token"] not in str(sent.detail)


def test_a_link_works_once(as_supervisor):
    user, link = add_staff(as_supervisor)
    assert Api().post(SET, {**link, "new_password": CHOSEN}).status_code == 204

    reused = Api().post(SET, {**link, "new_password": "another-long-phrase-of-words"})

    assert reused.status_code == 400
    assert list(reused.json()["fields"]) == ["token"]
    user.refresh_from_db()
    assert user.check_password(CHOSEN)
    assert AuditEvent.objects.filter(action="auth.password_link_refused", actor=user).exists()


def test_a_link_expires_after_a_day(as_supervisor):
    user, link = add_staff(as_supervisor)
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        stale = Api().post(SET, {**link, "new_password": CHOSEN})
    assert stale.status_code == 400
    assert list(stale.json()["fields"]) == ["token"]
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="auth.password_link_refused").exists()


def test_a_forged_link_is_refused_and_recorded(as_supervisor):
    _, link = add_staff(as_supervisor)
    forged = Api().post(SET, {**link, "token": "abc-123", "new_password": CHOSEN})
    unknown = Api().post(SET, {"uid": "bm90LWEtdXNlcg", "token": "abc", "new_password": CHOSEN})
    assert forged.status_code == unknown.status_code == 400
    assert AuditEvent.objects.filter(action="auth.password_link_refused").count() == 2


def test_the_password_set_through_a_link_must_pass_the_validators(as_supervisor):
    user, link = add_staff(as_supervisor)
    for weak in ("short", "new.isva.2026-password", "12345678901234567", "UglyMugs2026casework"):
        response = Api().post(SET, {**link, "new_password": weak})
        assert response.status_code == 400, weak
        assert list(response.json()["fields"]) == ["new_password"]
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert Api().post(SET, {**link, "new_password": CHOSEN}).status_code == 204


def test_a_supervisor_can_send_a_new_link_and_using_it_ends_every_session(
    as_supervisor, caseworker
):
    as_caseworker = client_for(caseworker)
    response = as_supervisor.post(f"/api/v1/staff/{caseworker.pk}/send-password-link/")
    assert response.status_code == 200 and response.json() == {"sent": True}
    link = link_in(mail.outbox[-1])

    assert Api().post(SET, {**link, "new_password": CHOSEN}).status_code == 204

    assert as_caseworker.get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(user=caseworker).exists()


def test_unknown_fields_are_refused(as_supervisor):
    _, link = add_staff(as_supervisor)
    response = Api().post(SET, {**link, "new_password": CHOSEN, "username": "someone"})
    assert response.status_code == 400
    assert "username" in response.json()["fields"]
