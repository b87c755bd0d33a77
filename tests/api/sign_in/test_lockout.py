"""The lockout of a username from an address after repeated failures (django-axes): it lasts
the cool-off time, spreads to nobody else, and answers like any other refusal."""

from datetime import timedelta

import pytest
from django.conf import settings
from knox.models import AuthToken

from casework.audit.models import AuditEvent

from ...factories import PASSWORD, UserFactory
from .world import ELSEWHERE, HOME, assert_generic_refusal, assert_locked_out, fail, sign_in

pytestmark = pytest.mark.django_db


def test_five_failures_lock_the_username_from_that_address_even_against_the_right_password(
    caseworker,
):
    answers = fail(caseworker.username, 5)
    for answer in answers[:4]:
        assert_generic_refusal(answer)
    tokens_before = AuthToken.objects.filter(user=caseworker).count()

    sixth = sign_in(caseworker.username, PASSWORD)

    assert_locked_out(sixth)
    assert AuthToken.objects.filter(user=caseworker).count() == tokens_before


def test_four_failures_do_not_lock(caseworker):
    fail(caseworker.username, 4)
    assert sign_in(caseworker.username).status_code == 200


def test_a_lockout_does_not_spread_to_another_username_from_the_same_address(caseworker, charity):
    colleague = UserFactory(organisation=charity)
    fail(caseworker.username, 5)
    assert_locked_out(sign_in(caseworker.username))
    assert sign_in(colleague.username).status_code == 200


def test_nobody_can_lock_a_colleague_out_from_another_address(caseworker):
    fail(caseworker.username, 6, address=ELSEWHERE)
    assert_locked_out(sign_in(caseworker.username, address=ELSEWHERE))
    assert sign_in(caseworker.username, address=HOME).status_code == 200


def test_the_lockout_lasts_the_cool_off_time_and_then_ends(caseworker, clock):
    fail(caseworker.username, 5)
    clock.shift(settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert_locked_out(sign_in(caseworker.username))
    clock.shift(timedelta(minutes=2))
    assert sign_in(caseworker.username).status_code == 200


def test_a_successful_sign_in_resets_the_failure_count(caseworker):
    fail(caseworker.username, 4)
    assert sign_in(caseworker.username).status_code == 200
    for answer in fail(caseworker.username, 4):
        assert_generic_refusal(answer)
    # Eight failures in all, but never five since the last success.
    assert sign_in(caseworker.username).status_code == 200


def test_unknown_username_wrong_password_and_inactive_account_get_the_same_answer(
    caseworker, charity
):
    inactive = UserFactory(organisation=charity, is_active=False)
    answers = [
        sign_in("nobody-by-this-name"),
        sign_in(caseworker.username, "wrong-password-but-long-enough"),
        sign_in(inactive.username),
    ]
    bodies = []
    for answer in answers:
        assert_generic_refusal(answer)
        body = answer.json()
        body.pop("request_id")
        bodies.append(body)
    assert bodies[0] == bodies[1] == bodies[2]


def test_sign_ins_and_failures_are_audited_without_the_password_typed(caseworker):
    typed = "Tr0ub4dor&3-typed-by-mistake"
    sign_in(caseworker.username, typed)
    sign_in("nobody-by-this-name", typed)
    sign_in(caseworker.username)

    failed = AuditEvent.objects.filter(action="auth.login_failed").order_by("id")
    assert [e.actor_id for e in failed] == [caseworker.id, None]
    assert failed[0].object_id == str(caseworker.id)
    assert failed[1].actor_label == "anonymous"
    assert AuditEvent.objects.filter(action="auth.login", actor=caseworker).exists()
    for event in AuditEvent.objects.all():
        stored = f"{event.actor_label} {event.detail} {event.object_id}"
        assert typed not in stored
        assert "nobody-by-this-name" not in stored
