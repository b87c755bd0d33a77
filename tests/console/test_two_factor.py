"""Setting up two-factor sign-in from the console where the charity requires it, through the
API's services: the password again, a first code, recovery codes shown once, and every session
ended so the next sign-in asks for a code."""

from datetime import timedelta

import pytest
import time_machine
from knox.models import AuthToken

from casework.accounts.models import AuthenticatorDevice

from ..api.sign_in.world import START, code
from ..factories import PASSWORD
from .world import console_for, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(caseworker):
    caseworker.organisation.require_two_factor = True
    caseworker.organisation.save()
    return caseworker


def test_a_person_sets_two_factor_up_and_signs_in_with_a_code(required):
    with time_machine.travel(START, tick=False):
        console = console_for(required)
        assert console.get("/app/caseload/").status_code == 403
        assert console.get("/app/two-factor/").status_code == 200
        wrong = console.submit("/app/two-factor/", {"password": "not-my-password"})
        assert wrong.status_code == 400
        assert 'id="id_password-error"' in wrong.content.decode()
        started = console.submit("/app/two-factor/", {"password": PASSWORD})
        device = AuthenticatorDevice.objects.get(user=required, confirmed=False)
        assert started.status_code == 200 and "id_code" in started.content.decode()
        refused = console.submit("/app/two-factor/", {"code": "000000"})
        assert refused.status_code == 400 and 'id="id_code-error"' in refused.content.decode()
    with time_machine.travel(START + timedelta(seconds=30), tick=False):
        done = console.submit("/app/two-factor/", {"code": code(device)})
        assert done.status_code == 200
        assert "Recovery codes" in done.content.decode()
        assert AuthToken.objects.filter(user=required).count() == 0
        assert console.get("/app/caseload/")["Location"] == "/app/sign-in/"
    with time_machine.travel(START + timedelta(seconds=60), tick=False):
        _, without = sign_in(required.username)
        assert without.status_code == 403
        device.refresh_from_db()
        again, with_code = sign_in(required.username, otp=code(device))
        assert with_code.status_code == 302
        assert again.get("/app/caseload/").status_code == 200
