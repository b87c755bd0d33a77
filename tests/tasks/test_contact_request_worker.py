"""Contact requests expire at the end of their window through the periodic task, run by a real
worker on the real broker: once, however often the task runs."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from casework.contact_requests.models import ContactRequest
from casework.contact_requests.services import contact_request_create
from casework.contact_requests.tasks import expire_contact_requests

from ..factories import CaseFactory, PoliceLiaisonFactory, SharedCaseFactory

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_periodic_task_expires_a_request_whose_window_ended(celery_worker_process, caseworker):
    share = SharedCaseFactory(case=CaseFactory(opened_by=caseworker), level="anonymous")
    officer = PoliceLiaisonFactory(organisation=share.police_force)
    now = timezone.now()
    fields = {
        "shared_case": share,
        "requested_by": officer,
        "purpose": "safety_warning",
        "explanation": "A warning about a man seen near the arches.",
        "urgency": "urgent",
        "preferred_contact": "phone_call",
        "window_from": now,
    }
    ending = contact_request_create(**fields, window_until=now + timedelta(seconds=1))
    lasting = contact_request_create(**fields, window_until=now + timedelta(days=3))
    time.sleep(1.2)

    first, second = expire_contact_requests.delay(), expire_contact_requests.delay()
    assert sorted([first.get(timeout=60), second.get(timeout=60)]) == [0, 1]
    assert ContactRequest.objects.get(pk=ending.pk).status == "expired"
    assert ContactRequest.objects.get(pk=lasting.pk).status == "open"
    entry = settings.CELERY_BEAT_SCHEDULE["expire-contact-requests"]
    assert entry["task"] == expire_contact_requests.name
