"""Exported chain heads: every chain's last (sequence, hash), signed with the audit key, written to
a log line and a file; ``verify_audit`` finds against them what the chain alone cannot show, a
deleted tail and a chain rewritten by someone holding the key, and refuses head lines that are
forged or unsigned."""

import base64
import json
import logging
from datetime import timedelta
from io import StringIO

import pgtrigger
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from casework.audit.chain import digest
from casework.audit.heads import export_heads, parse, read_heads
from casework.audit.models import AuditEvent
from casework.audit.services import audit_record
from casework.audit.tasks import export_audit_heads
from casework.core.database_roles import as_owner
from casework.logging import JsonFormatter

from ..factories import OrganisationFactory

pytestmark = pytest.mark.django_db

APPEND_ONLY = "audit.AuditEvent:audit_append_only"


def record(organisation, action: str) -> AuditEvent:
    return audit_record(actor="test-suite", action=action, organisation=organisation)


def verify(**options) -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out, **options)
    return out.getvalue()


def verify_broken(**options) -> tuple[str, str]:
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("verify_audit", stdout=out, **options)
    return out.getvalue(), str(error.value)


def lines_of(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def heads_file(tmp_path, settings):
    path = tmp_path / "audit-heads.jsonl"
    settings.AUDIT_HEAD_EXPORT_PATH = str(path)
    return path


@pytest.fixture
def chain(charity):
    """Four events in the charity's chain."""
    return [record(charity, f"ours.{n}") for n in range(1, 5)]


# --- the export -----------------------------------------------------------------------------


def test_an_export_signs_the_head_of_every_chain_into_the_file_and_the_log(
    heads_file, chain, charity, other_charity, caplog
):
    theirs = [record(other_charity, "theirs.1"), record(other_charity, "theirs.2")]
    with caplog.at_level(logging.INFO, logger="casework.audit.heads"):
        result = export_audit_heads()

    assert result == {"chains": 2}
    written = {line["chain"]: line for line in lines_of(heads_file)}
    assert set(written) == {str(charity.pk), str(other_charity.pk)}
    ours = written[str(charity.pk)]
    assert (ours["sequence"], ours["hash"]) == (4, chain[-1].hash)
    assert (written[str(other_charity.pk)]["sequence"], written[str(other_charity.pk)]["hash"]) == (
        2,
        theirs[-1].hash,
    )
    assert ours["key_id"] == "dev1" and len(ours["signature"]) == 64
    assert ours["kind"] == "casework.audit.head"

    logged = [r for r in caplog.records if r.name == "casework.audit.heads"]
    assert sorted(r.audit_head["chain"] for r in logged) == sorted(written)
    assert {r.audit_head["signature"] for r in logged} == {
        line["signature"] for line in written.values()
    }


def test_the_signature_is_an_hmac_under_the_audit_key_over_the_head_and_its_time(heads_file, chain):
    export_heads()
    line = heads_file.read_text().splitlines()[0]
    head, reason = parse(line)
    assert head is not None, reason
    for field, value in [("sequence", 3), ("hash", "0" * 64), ("exported_at", "2020-01-01")]:
        altered = json.loads(line) | {field: value}
        assert parse(json.dumps(altered)) == (
            None,
            "its signature does not match (forged or altered)",
        )


def test_each_export_appends_and_the_latest_head_counts(heads_file, chain, charity):
    export_heads()
    record(charity, "ours.5")
    export_heads()

    assert [line["sequence"] for line in lines_of(heads_file)] == [4, 5]
    heads, refused = read_heads(heads_file)
    assert refused == []
    assert heads[str(charity.pk)].sequence == 5


def test_with_no_path_the_heads_go_to_the_log_only(settings, chain, caplog, tmp_path):
    settings.AUDIT_HEAD_EXPORT_PATH = ""
    with caplog.at_level(logging.INFO, logger="casework.audit.heads"):
        heads = export_heads()
    assert len(heads) == 1
    assert [
        r.audit_head["sequence"] for r in caplog.records if r.name == "casework.audit.heads"
    ] == [4]
    assert list(tmp_path.iterdir()) == []


def test_a_head_from_the_json_log_verifies_like_a_file_line(heads_file, chain, caplog):
    with caplog.at_level(logging.INFO, logger="casework.audit.heads"):
        export_heads()
    (entry,) = [r for r in caplog.records if r.name == "casework.audit.heads"]
    log_line = JsonFormatter().format(entry)
    head, reason = parse(log_line)
    assert head is not None, reason
    assert head.sequence == 4


def test_the_beat_schedule_exports_heads_at_the_configured_interval():
    entry = settings.CELERY_BEAT_SCHEDULE["export-audit-heads"]
    assert entry["task"] == "casework.audit.tasks.export_audit_heads"
    assert (
        entry["schedule"]
        == timedelta(minutes=settings.AUDIT_HEAD_EXPORT_MINUTES)
        == timedelta(minutes=15)
    )
    assert entry["options"]["expires"] < entry["schedule"].total_seconds()
    from casework.celery import app

    assert entry["task"] in app.tasks


# --- verify_audit against the heads ----------------------------------------------------------


def test_verify_audit_passes_a_chain_that_matches_or_has_grown_past_its_head(
    heads_file, chain, charity
):
    export_heads()
    assert f"ok     chain {charity.pk}: 4 events, matching its head exported at" in verify()
    record(charity, "ours.5")
    output = verify()
    assert f"ok     chain {charity.pk}: 5 events, matching" in output
    assert "(event 4)" in output
    assert "All audit chains intact (5 events)." in output


def test_verify_audit_finds_the_last_events_deleted(heads_file, chain, charity):
    export_heads()
    with as_owner(), pgtrigger.ignore(APPEND_ONLY):
        AuditEvent.objects.filter(pk__in=[chain[2].pk, chain[3].pk]).delete()
    # What the chain alone shows: nothing wrong, two events shorter.
    assert f"ok     chain {charity.pk}: 2 events" in verify(heads="")

    report, message = verify_broken()

    assert f"BROKEN chain {charity.pk} at event 3: the chain ends at event 2" in report
    assert "was event 4: events after 2 were removed" in report
    assert "1 broken chain(s)" in message


def test_verify_audit_finds_a_chain_deleted_entirely(heads_file, chain, charity, other_charity):
    record(other_charity, "theirs.1")
    export_heads()
    with as_owner(), pgtrigger.ignore(APPEND_ONLY):
        AuditEvent.objects.filter(chain=str(charity.pk)).delete()

    report, _ = verify_broken()

    assert f"BROKEN chain {charity.pk} at event 1: the chain ends at event 0" in report
    assert f"ok     chain {other_charity.pk}: 1 events" in report


def test_verify_audit_finds_a_chain_rewritten_with_the_key(heads_file, chain, charity):
    """Someone holding the audit key and the owner's credentials rewrites events 2 to 4 and
    re-links every one: the chain is consistent again, but no longer ends where it was seen."""
    export_heads()
    previous = chain[0].hash
    with as_owner(), pgtrigger.ignore(APPEND_ONLY):
        for event in chain[1:]:
            forged = AuditEvent.objects.get(pk=event.pk)
            forged.action = "nothing.to.see"
            forged.previous_hash = previous
            forged.hash = digest(forged)
            AuditEvent.objects.filter(pk=forged.pk).update(
                action=forged.action, previous_hash=forged.previous_hash, hash=forged.hash
            )
            previous = forged.hash
    assert f"ok     chain {charity.pk}: 4 events" in verify(heads="")

    report, _ = verify_broken()

    assert f"BROKEN chain {charity.pk} at event 4 (row {chain[3].pk})" in report
    assert "its hash differs from the head exported at" in report
    assert "the chain was rewritten" in report


def test_a_chain_without_an_exported_head_is_verified_as_before(heads_file, chain, charity):
    assert "no exported heads at" in verify()
    export_heads()
    other = record(OrganisationFactory(), "later.1")
    output = verify()
    assert f"ok     chain {other.chain}: 1 events\n" in output


# --- head lines that are not what they claim ---------------------------------------------


def test_forged_unsigned_and_foreign_head_lines_are_refused(heads_file, chain, charity):
    export_heads()
    genuine = json.loads(heads_file.read_text())
    forged = [
        genuine | {"sequence": 2},  # claims less, to hide a deleted tail
        genuine | {"sequence": 9, "signature": "f" * 64},  # a made-up signature
        {k: v for k, v in genuine.items() if k != "signature"},  # unsigned
        genuine | {"key_id": "other"},  # a key the deployment does not hold
        {"chain": str(charity.pk), "sequence": 9},  # not a head at all
        "not json",
    ]
    with heads_file.open("a") as file:
        for line in forged:
            file.write((line if isinstance(line, str) else json.dumps(line)) + "\n")

    report, message = verify_broken()

    refused = [line for line in report.splitlines() if line.startswith("REFUSED head line")]
    assert [line.split()[3] for line in refused] == ["2", "3", "4", "5", "6", "7"]
    assert "line 2 of" in refused[0] and "signature does not match" in refused[0]
    assert "unsigned" in refused[2]
    assert "audit key 'other', not in AUDIT_HASH_KEYS" in refused[3]
    assert "not JSON" in refused[5]
    # The chain itself is checked against the genuine head only.
    assert f"ok     chain {charity.pk}: 4 events, matching" in report
    assert "6 refused head line(s)" in message


def test_a_head_signed_with_a_retired_audit_key_still_verifies(heads_file, chain, settings):
    export_heads()
    new = "k2:" + base64.urlsafe_b64encode(b"n" * 32).decode()
    settings.AUDIT_HASH_KEYS = [new, *settings.AUDIT_HASH_KEYS]
    heads, refused = read_heads(heads_file)
    assert refused == [] and len(heads) == 1
    settings.AUDIT_HASH_KEYS = [new]
    _, refused = read_heads(heads_file)
    assert [r.reason for r in refused] == ["signed with audit key 'dev1', not in AUDIT_HASH_KEYS"]
