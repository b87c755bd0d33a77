"""A new referral from the console: through the API's referral service, audited, written once
however often the form is sent, and refused beside its fields keeping what was typed."""

import pytest

from casework.audit.models import AuditEvent
from casework.cases.models import Referral

from .world import console_for, hidden

pytestmark = pytest.mark.django_db

NEW = "/app/referrals/new/"


def filled(console, **changes):
    token = hidden(console.get(NEW).content.decode(), "form_token")
    return {
        "source": "outreach",
        "urgency": "priority",
        "summary": "Robbed by a client on Tuesday night.",
        "person_pseudonym": "Wren",
        "contact_kind": "mobile",
        "contact_value": "07700 900123",
        "contact_safe_to_text": "on",
        "form_token": token,
        **changes,
    }


def test_a_referral_is_recorded_once_however_often_the_form_is_sent(caseworker):
    console = console_for(caseworker)
    data = filled(console)
    first = console.submit(NEW, data)
    again = console.submit(NEW, data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    referral = Referral.objects.get()
    assert (referral.source, referral.urgency, referral.person_pseudonym) == (
        "outreach",
        "priority",
        "Wren",
    )
    assert referral.contact_safe_to_text and not referral.contact_safe_to_call
    assert referral.organisation_id == caseworker.organisation_id
    assert AuditEvent.objects.filter(action="referral.create", actor_id=caseworker.pk).count() == 1
    page = console.get(first["Location"])
    assert "Robbed by a client" in page.content.decode()
    assert AuditEvent.objects.filter(action="referral.read", actor_id=caseworker.pk).exists()


def test_a_referral_with_errors_is_refused_beside_its_fields_keeping_what_was_typed(caseworker):
    console = console_for(caseworker)
    response = console.submit(NEW, filled(console, summary="", contact_value="not a number"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_summary-error"' in html
    assert "Wren" in html
    assert not Referral.objects.exists()


def test_a_contact_the_service_refuses_is_shown_beside_its_field(caseworker):
    console = console_for(caseworker)
    response = console.submit(NEW, filled(console, contact_value="not a number"))
    assert response.status_code == 400
    assert 'id="id_contact_value-error"' in response.content.decode()
    assert not Referral.objects.exists()
