"""A new password set through a link replaces the password only: the second factor stays, and
the next sign-in still needs a current code."""

import re

import pytest
from django.core import mail

from ...conftest import Api, client_for
from ...factories import SupervisorFactory
from .world import assert_generic_refusal, code, next_step, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "tall-trees-and-quiet-water-2026"


def test_a_password_set_through_a_link_still_needs_the_second_factor(caseworker, enrolled, clock):
    device, _ = enrolled
    supervisor = client_for(SupervisorFactory(organisation=caseworker.organisation))
    assert supervisor.post(f"/api/v1/staff/{caseworker.pk}/send-password-link/").status_code == 200
    link = re.search(r"#uid=([\w-]+)&token=([\w-]+)", mail.outbox[-1].body)
    body = {"uid": link[1], "token": link[2], "new_password": NEW_PASSWORD}
    assert Api().post("/api/v1/auth/set-password/", body).status_code == 204

    assert_generic_refusal(sign_in(caseworker.username, NEW_PASSWORD))
    next_step(clock)
    assert sign_in(caseworker.username, NEW_PASSWORD, otp=code(device)).status_code == 200
