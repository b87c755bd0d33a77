"""The audit head export through a real Celery worker, which like every test worker runs as the
application's database role: it signs the head of every chain into the file it is configured
with, and a tail deleted afterwards is found by ``verify_audit`` against that file."""

import os
import subprocess
import sys
from io import StringIO

import pgtrigger
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from casework.audit.heads import read_heads
from casework.audit.models import AuditEvent
from casework.audit.services import audit_record
from casework.audit.tasks import export_audit_heads
from casework.core.database_roles import as_owner

from ..celery_worker import ROOT, WorkerProcess

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CURRENT_ROLE = (
    "import django; django.setup(); from django.db import connection; "
    "cursor = connection.cursor(); cursor.execute('SELECT current_user'); "
    "print(cursor.fetchone()[0])"
)


def test_test_workers_run_as_the_runtime_role():
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", CURRENT_ROLE],
        cwd=ROOT,
        env=WorkerProcess().environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [settings.DATABASE_APP_ROLE]


def test_a_worker_exports_the_heads_and_a_tail_deleted_afterwards_is_found(tmp_path, charity):
    path = tmp_path / "audit-heads.jsonl"
    events = [
        audit_record(actor="test-suite", action=f"ours.{n}", organisation=charity)
        for n in range(1, 4)
    ]
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-audit-heads-{os.getpid()}"
    worker = WorkerProcess(
        name="audit-heads",
        queue=queue,
        env={"TEST_AUDIT_HEAD_EXPORT_PATH": str(path)},
        own_process_group=True,
    )
    try:
        worker.start()
        outcome = export_audit_heads.apply_async(queue=queue).get(timeout=60)
    finally:
        worker.stop()

    assert outcome["chains"] >= 1
    heads, refused = read_heads(path)
    assert refused == []
    head = heads[str(charity.pk)]
    assert (head.sequence, head.hash) == (3, events[-1].hash)

    with as_owner(), pgtrigger.ignore("audit.AuditEvent:audit_append_only"):
        AuditEvent.objects.filter(pk=events[-1].pk).delete()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", heads=str(path), stdout=out)
    assert f"BROKEN chain {charity.pk} at event 3: the chain ends at event 2" in out.getvalue()
