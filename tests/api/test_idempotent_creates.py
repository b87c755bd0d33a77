"""Every POST that creates something takes an Idempotency-Key: a retry with the same key and
body gets the first response back and creates nothing more; the same key with another body, or
on another record's route, is refused; a key of the wrong shape is refused by field; a refused
request does not use up its key; and expired keys are purged by a beat task."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from casework.cases.models import ContactLogEntry, Note
from casework.core.models import IdempotencyRecord
from casework.core.tasks import purge_idempotency_keys
from casework.court.models import CourtEvent
from casework.reminders.models import OutboundMessage
from casework.sharing.models import ConsentDecision, SharedUpdate
from casework.support.models import NeedRecord, RiskAssessment, SafetyPlanItem

from ..factories import CaseFactory, SharedCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker):
    return CaseFactory(opened_by=caseworker, pseudonym="Robin", reachable=True)


def _contact():
    return {
        "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "channel": "phone_call",
        "direction": "outbound",
        "outcome": "no_answer",
    }


def _hearing():
    return {
        "hearing_type": "first_hearing",
        "court": "Leeds Magistrates' Court",
        "starts_at": (timezone.now() + timedelta(days=14)).isoformat(),
    }


CASE_CREATES = {
    "contacts/": (ContactLogEntry, _contact),
    "notes/": (Note, lambda: {"body": "Called back about the hearing."}),
    "consents/": (
        ConsentDecision,
        lambda: {"scope": "store_records", "granted": True, "method": "verbal"},
    ),
    "court-events/": (CourtEvent, _hearing),
    "support-plan/needs/": (NeedRecord, lambda: {"need": "housing", "status": "identified"}),
    "support-plan/safety-plan/": (SafetyPlanItem, lambda: {"description": "Safe word agreed."}),
    "support-plan/risk-assessments/": (
        RiskAssessment,
        lambda: {"assessed_on": timezone.localdate().isoformat(), "level": "medium"},
    ),
    "messages/": (
        OutboundMessage,
        lambda: {
            "purpose": "appointment",
            "channel": "text",
            "body": "Your appointment is moved to Thursday.",
            "send_after": (timezone.now() + timedelta(hours=3)).isoformat(),
        },
    ),
}


@pytest.mark.parametrize("tail", list(CASE_CREATES))
def test_a_retried_create_on_a_case_creates_once_and_replays_the_first_answer(
    as_caseworker, case, tail
):
    model, body_for = CASE_CREATES[tail]
    url = f"/api/v1/cases/{case.pk}/{tail}"
    body = body_for()
    before = model.objects.count()

    first = as_caseworker.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=f"retry-{tail}")
    again = as_caseworker.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=f"retry-{tail}")

    assert first.status_code == 201, first.json()
    assert again.status_code == 201, again.json()
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert model.objects.count() == before + 1


def test_a_retried_contact_entry_is_logged_once_and_keeps_its_etag(as_caseworker, case):
    url = f"/api/v1/cases/{case.pk}/contacts/"
    body = _contact()

    answers = [
        as_caseworker.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="phone-dropped")
        for _ in range(3)
    ]

    assert {a.status_code for a in answers} == {201}
    assert ContactLogEntry.objects.filter(case=case).count() == 1
    assert {a["ETag"] for a in answers} == {answers[0]["ETag"]}
    listed = as_caseworker.get(url).json()["results"]
    assert [e["id"] for e in listed] == [answers[0].json()["id"]]


def test_police_retrying_an_update_post_it_once(as_police, caseworker, police_force):
    share = SharedCaseFactory(case=CaseFactory(opened_by=caseworker), police_force=police_force)
    url = f"/api/v1/shared-cases/{share.pk}/updates/"
    body = {"kind": "investigation", "body": "Suspect interviewed."}

    first = as_police.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="force-msg-1")
    again = as_police.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="force-msg-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert SharedUpdate.objects.filter(shared_case=share).count() == 1


def test_the_same_key_with_another_body_or_on_another_case_is_refused(
    as_caseworker, case, caseworker
):
    other = CaseFactory(opened_by=caseworker)
    body = {"body": "First."}
    first = as_caseworker.post(
        f"/api/v1/cases/{case.pk}/notes/", body, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert first.status_code == 201

    changed = as_caseworker.post(
        f"/api/v1/cases/{case.pk}/notes/",
        {"body": "Else."},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    elsewhere = as_caseworker.post(
        f"/api/v1/cases/{other.pk}/notes/", body, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    for refused in (changed, elsewhere):
        assert refused.status_code == 409, refused.json()
        assert refused.json()["code"] == "idempotency_key_reused"
    assert Note.objects.filter(case__in=[case, other]).count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "caf\u00e9"])
def test_a_key_of_the_wrong_shape_is_refused_by_field_and_creates_nothing(as_caseworker, case, key):
    response = as_caseworker.post(
        f"/api/v1/cases/{case.pk}/notes/", {"body": "x"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400, response.content
    assert "Idempotency-Key" in response.json()["fields"]
    assert not Note.objects.filter(case=case).exists()
    assert not IdempotencyRecord.objects.exists()


def test_a_refused_create_leaves_its_key_free(as_caseworker, case):
    url = f"/api/v1/cases/{case.pk}/court-events/"
    bad = as_caseworker.post(
        url, {**_hearing(), "court": ""}, format="json", HTTP_IDEMPOTENCY_KEY="hearing-1"
    )
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()

    good = as_caseworker.post(url, _hearing(), format="json", HTTP_IDEMPOTENCY_KEY="hearing-1")
    assert good.status_code == 201, good.json()


def test_the_response_kept_for_a_key_is_not_stored_in_plaintext(as_caseworker, case):
    from django.db import connection

    as_caseworker.post(
        f"/api/v1/cases/{case.pk}/notes/",
        {"body": "Canary-7731 moved flat"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="secret-note",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT response FROM core_idempotencyrecord")
        [(stored,)] = cursor.fetchall()
    assert "Canary-7731" not in stored


def test_expired_keys_are_purged_by_the_beat_task_and_fresh_ones_kept():
    start = timezone.now()
    for key, age in (("old", timedelta(hours=25)), ("new", timedelta(hours=23))):
        with time_machine.travel(start - age, tick=False):
            IdempotencyRecord.objects.create(principal="p", scope="s", key=key, fingerprint="f")

    assert purge_idempotency_keys() == 1

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    schedule = settings.CELERY_BEAT_SCHEDULE.values()
    assert "casework.core.tasks.purge_idempotency_keys" in {entry["task"] for entry in schedule}
