"""Every write is accepted with the Celery broker unreachable: none of them sends a task at the
moment of the write. What a write makes due (a reminder, a message, an email) is found by the
next periodic scan from the database, so a broker that was down loses nothing once it is back
(``tests/tasks/test_reminder_worker.py`` proves the scan side on a real worker)."""

import pytest
from celery.signals import before_task_publish

from ..factories import CaseFactory, ClientFactory, SharedCaseFactory
from .test_idempotent_creates import CASE_CREATES

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """The names of the tasks published while the test runs."""
    sent: list[str] = []

    def note(sender=None, **kwargs):
        sent.append(str(sender))

    before_task_publish.connect(note, weak=False)
    yield sent
    before_task_publish.disconnect(note)


@pytest.fixture
def case(caseworker):
    return CaseFactory(opened_by=caseworker, pseudonym="Robin", reachable=True)


def test_writes_across_the_api_publish_no_task(
    as_caseworker, as_police, case, caseworker, police_force, published
):
    created = []
    for tail, (_, body_for) in CASE_CREATES.items():
        response = as_caseworker.post(f"/api/v1/cases/{case.pk}/{tail}", body_for(), format="json")
        created.append((tail, response.status_code))
    client = ClientFactory(created_by=caseworker)
    opened = as_caseworker.post("/api/v1/cases/", {"client": str(client.pk)}, format="json")
    created.append(("cases/", opened.status_code))
    share = SharedCaseFactory(case=CaseFactory(opened_by=caseworker), police_force=police_force)
    update = as_police.post(
        f"/api/v1/shared-cases/{share.pk}/updates/",
        {"kind": "investigation", "body": "Suspect interviewed."},
        format="json",
    )
    created.append(("shared update", update.status_code))
    withdrawn = as_caseworker.post(
        f"/api/v1/cases/{share.case_id}/consents/",
        {
            "scope": "share_with_police",
            "granted": False,
            "method": "verbal",
            "police_force": str(police_force.pk),
        },
        format="json",
    )
    created.append(("consent withdrawn", withdrawn.status_code))
    assert [(what, code) for what, code in created if code != 201] == []
    assert published == []
