"""Attachments are governed like every record of a case: gone with the client's erasure (their
stored files too, once the erasure commits), held to the storage by a reconciling task, shown on
the timeline, and served at a cost that does not grow with the list."""

import os
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from casework.attachments.models import Attachment
from casework.attachments.services import attachments_reconcile
from casework.attachments.tasks import reconcile_attachment_storage
from casework.audit.models import AuditEvent
from casework.privacy.anonymise import anonymise_case

from ...attachments import stored_files
from .files import TEXT, pdf, png, upload, url

pytestmark = pytest.mark.django_db


def test_an_attachment_is_erased_with_its_client_and_gone_from_storage(
    as_caseworker, as_supervisor, case, attachment_storage, django_capture_on_commit_callbacks
):
    upload(as_caseworker, case, TEXT, "statement.txt")
    upload(as_caseworker, case, png(), "injury.png")
    assert len(stored_files(attachment_storage)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        erased = as_supervisor.post(
            f"/api/v1/clients/{case.client_id}/erase/",
            {"reason": "She asked us to.", "force": False},
            format="json",
        )
    assert erased.status_code == 200, erased.content
    assert not Attachment.objects.filter(case=case).exists()
    assert stored_files(attachment_storage) == []
    assert AuditEvent.objects.get(action="attachment.erase").detail == {"count": 2}


def test_retention_takes_the_files_with_the_case(
    as_caseworker, case, attachment_storage, django_capture_on_commit_callbacks
):
    upload(as_caseworker, case, pdf(), "letter.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        anonymise_case(case, actor="retention", reason="retention")
    assert not Attachment.objects.exists()
    assert stored_files(attachment_storage) == []


def test_a_file_stays_when_its_deletion_is_rolled_back(
    as_caseworker, case, attachment_storage, django_capture_on_commit_callbacks
):
    upload(as_caseworker, case, TEXT, "a.txt")
    with django_capture_on_commit_callbacks(execute=False) as pending:
        Attachment.objects.get().delete()
    assert len(pending) == 1  # the removal waits for a commit that, here, never comes
    assert len(stored_files(attachment_storage)) == 1


def test_reconciling_removes_stored_files_without_a_record_and_reports_records_without_a_file(
    as_caseworker, case, attachment_storage
):
    kept = upload(as_caseworker, case, TEXT, "kept.txt").json()
    lost = upload(as_caseworker, case, TEXT, "lost.txt").json()
    folder = attachment_storage / "attachments"
    stale = folder / "0badc0ffee"
    stale.write_bytes(b"left by an upload rolled back long ago")
    old = time.time() - settings.ATTACHMENTS_ORPHAN_GRACE_SECONDS - 60
    os.utime(stale, (old, old))
    in_flight = folder / "0fresh"
    in_flight.write_bytes(b"an upload committing right now")
    lost_name = Attachment.objects.get(pk=lost["id"]).storage_name
    (attachment_storage / lost_name).unlink()

    assert attachments_reconcile() == {"orphans_removed": 1, "files_missing": 1}
    assert not stale.exists() and in_flight.exists()
    assert (attachment_storage / Attachment.objects.get(pk=kept["id"]).storage_name).exists()
    assert Attachment.objects.filter(pk=lost["id"]).exists()  # kept, and reported
    event = AuditEvent.objects.get(action="attachment.reconcile")
    assert event.detail == {"orphans_removed": 1, "files_missing": [lost["id"]]}
    # The orphan is gone for good: a second run removes nothing more.
    later = timezone.now() + timedelta(seconds=1)
    in_flight.unlink()
    assert attachments_reconcile(now=later) == {"orphans_removed": 0, "files_missing": 1}


def test_reconciling_runs_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["reconcile-attachment-storage"]
    assert entry["task"] == reconcile_attachment_storage.name


def test_the_timeline_shows_attachments(as_caseworker, case):
    created = upload(as_caseworker, case, TEXT, "a.txt", kind="statement", description="Hers")
    items = as_caseworker.get(f"/api/v1/cases/{case.id}/timeline/").json()["results"]
    [item] = [i for i in items if i["kind"] == "attachment"]
    assert item["id"] == created.json()["id"]
    assert item["data"]["kind"] == "statement"
    assert item["data"]["description"] == "Hers"
    assert item["data"]["retired"] is False


def test_the_list_costs_the_same_however_many_files(
    as_caseworker, case, django_assert_max_num_queries
):
    upload(as_caseworker, case, TEXT, "a.txt")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert as_caseworker.get(url(case)).status_code == 200
    for n in range(3):
        upload(as_caseworker, case, TEXT, f"{n}.txt")
    with CaptureQueriesContext(connection) as four:
        assert len(as_caseworker.get(url(case)).json()["results"]) == 4
    assert len(four) == len(one)
    detail = f"{url(case)}{Attachment.objects.first().pk}/"
    with django_assert_max_num_queries(len(one)):
        assert as_caseworker.get(detail).status_code == 200


def test_a_named_bucket_puts_files_in_an_s3_compatible_store():
    """The settings as compose sets them: django-storages' S3 backend, private, never
    overwriting (the settings are read once per process, so a process of its own reads them)."""
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from django.core.files.storage import storages\n"
        "s = storages['attachments']\n"
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl, s.file_overwrite)\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casework.settings.dev",
        "ATTACHMENTS_S3_BUCKET": "casework-attachments",
        "ATTACHMENTS_S3_ENDPOINT_URL": "http://minio:9000",
    }
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "S3Storage",
        "casework-attachments",
        "http://minio:9000",
        "None",
        "False",
    ]
