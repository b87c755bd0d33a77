"""Planning a message through the API: planned with no route yet, refused on a closed case or
for a channel the service cannot send by, cancelled only while planned, and never another
charity's to see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.cases.services.cases import case_transition
from casework.reminders.models import OutboundMessage

from ...conftest import client_for
from ...factories import SupervisorFactory
from .world import START, deliveries, messages_url, plan, planned, route, send

pytestmark = pytest.mark.django_db


# --- planning ---------------------------------------------------------------------------------


def test_planning_records_the_message_as_planned_with_no_route(case, caseworker):
    route(case, preferred=True, safe_to_text=True)
    response = plan(case)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "planned"
    assert body["contact_method"] is None
    assert body["attempts"] == 0
    assert body["sent_at"] is None
    assert body["body"] == "Your appointment is on Thursday at 11."
    message = OutboundMessage.objects.get(pk=body["id"])
    assert (message.status, message.contact_method_id, message.created_by) == (
        "planned",
        None,
        caseworker,
    )
    assert deliveries(message) == 0
    listed = client_for(caseworker).get(messages_url(case)).json()["results"]
    assert [m["id"] for m in listed] == [body["id"]]


def test_a_closed_case_refuses_new_messages(case, caseworker):
    case_transition(
        case=case,
        actor=caseworker,
        lifecycle="support",
        to="closed",
        reason="Support completed.",
        closure_reason="support_completed",
    )
    response = plan(case)
    assert response.status_code == 409
    assert response.json()["code"] == "case_closed"
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize("channel", ["fax", "whatsapp", "", None])
def test_a_channel_the_service_cannot_send_by_is_refused(case, channel):
    response = plan(case, channel=channel)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "channel" in response.json()["fields"]
    assert not OutboundMessage.objects.exists()


def test_another_charity_cannot_see_message_or_cancel(case, other_charity):
    message = planned(case)
    outsider = client_for(SupervisorFactory(organisation=other_charity))
    assert outsider.get(messages_url(case)).status_code == 404
    assert outsider.get(messages_url(case, f"{message.pk}/")).status_code == 404
    assert outsider.post(messages_url(case, f"{message.pk}/cancel/")).status_code == 404
    message.refresh_from_db()
    assert message.status == "planned"


# --- cancelling ---------------------------------------------------------------------------------


def test_a_message_can_be_cancelled_only_while_planned(clock, case, caseworker):
    route(case, preferred=True, safe_to_text=True)
    api = client_for(caseworker)
    message = planned(case)
    response = api.post(messages_url(case, f"{message.pk}/cancel/"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    again = api.post(messages_url(case, f"{message.pk}/cancel/"))
    assert again.status_code == 409
    assert again.json()["code"] == "message_not_planned"

    clock.move_to(START + timedelta(hours=1))
    assert send(message).status == "cancelled"
    assert deliveries(message) == 0

    sent = send(planned(case, send_after=timezone.now().isoformat()))
    assert sent.status == "sent"
    response = client_for(caseworker).post(messages_url(case, f"{sent.pk}/cancel/"))
    assert response.status_code == 409
    sent.refresh_from_db()
    assert sent.status == "sent"
