"""Everything that leaves the charity is kept as it was sent: a share's view byte for byte as
the force got it, a new version only when the view changed, each police read naming the version
it saw, for the charity's staff to read and for the client's subject-access export."""

import json

import pytest
from django.db import InternalError, ProgrammingError, connection, transaction

from casework.disclosures.models import Disclosure
from casework.disclosures.services import content_hash
from casework.privacy.subject_rights import export_client
from casework.sharing.models import SharedCase

from ...conftest import client_for
from ...editing import edit
from ...factories import SupervisorFactory
from .world import (
    SHARED,
    consent,
    disclosures_url,
    last_police_read,
    share_with,
    versions,
)

pytestmark = pytest.mark.django_db


def test_an_anonymous_share_keeps_byte_for_byte_what_the_force_received(
    as_caseworker, as_police, case, police_force
):
    decision = share_with(as_caseworker, case, police_force)
    share = SharedCase.objects.get(case=case, police_force=police_force)
    [started] = versions(share)
    assert (started.kind, started.version, started.recipient) == (
        "anonymous_intelligence",
        1,
        police_force,
    )
    assert str(started.consent_decision.public_id) == decision["history"][0]["id"]

    response = as_police.get(f"{SHARED}{share.id}/")
    assert response.status_code == 200
    assert started.content.encode("utf-8") == response.content
    assert sorted(json.loads(started.content)["offence_types"]) == ["physical_assault", "robbery"]
    # Unchanged, it is the version kept when the share started, and the read says so.
    assert versions(share) == [started]
    seen = last_police_read(share).detail
    assert (seen["disclosure"], seen["disclosure_version"]) == (str(started.pk), 1)


def test_the_content_is_stored_encrypted(as_caseworker, case, police_force):
    share_with(as_caseworker, case, police_force)
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM disclosures_disclosure")
        [(stored,)] = cursor.fetchall()
    assert "robbery" not in stored
    assert Disclosure.objects.get().content.startswith("{")


def test_the_database_refuses_to_change_or_remove_what_was_sent(as_caseworker, case, police_force):
    share_with(as_caseworker, case, police_force)
    kept = Disclosure.objects.get()
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        Disclosure.objects.filter(pk=kept.pk).update(content="{}")
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        Disclosure.objects.filter(pk=kept.pk).delete()
    assert Disclosure.objects.get().content == kept.content


def test_a_changed_view_is_a_new_version_and_a_read_names_the_version_it_saw(
    as_caseworker, as_police, case, police_force
):
    share_with(as_caseworker, case, police_force)
    share = SharedCase.objects.get(case=case, police_force=police_force)
    first = as_police.get(f"{SHARED}{share.id}/")

    changed = edit(as_caseworker, f"/api/v1/cases/{case.id}/", {"offence_types": ["stalking"]})
    assert changed.status_code == 200, changed.json()
    second = as_police.get(f"{SHARED}{share.id}/")
    assert second.json()["offence_types"] == ["stalking"]
    v1, v2 = versions(share)
    assert (v1.version, v2.version) == (1, 2)
    assert v1.content.encode() == first.content
    assert v2.content.encode() == second.content
    assert v2.content_hash == content_hash(second.content.decode()) != v1.content_hash
    seen = last_police_read(share).detail
    assert (seen["disclosure"], seen["disclosure_version"]) == (str(v2.pk), 2)

    # Read again, unchanged: no third version, and the read names the second.
    third = as_police.get(f"{SHARED}{share.id}/")
    assert third.content == second.content
    assert len(versions(share)) == 2
    assert last_police_read(share).detail["disclosure"] == str(v2.pk)


def test_a_change_the_ledger_makes_is_kept_before_any_read(as_caseworker, case, police_force):
    """A share's derivation keeps the new view as it changes the share (here, a review date
    given on renewal), so what the force can read from then on is on record at once."""
    share_with(as_caseworker, case, police_force)
    share = SharedCase.objects.get(case=case, police_force=police_force)
    renewal = consent(
        as_caseworker,
        case,
        "share_anonymous_intelligence",
        force=police_force,
        review_date="2099-01-31",
    )
    v1, v2 = versions(share)
    assert json.loads(v2.content)["review_date"] == "2099-01-31"
    assert json.loads(v1.content)["review_date"] is None
    assert str(v2.consent_decision.public_id) == renewal["history"][0]["id"]


def test_an_identified_share_is_kept_as_sent_too(as_caseworker, as_police, case, police_force):
    share_with(as_caseworker, case, police_force, level="identified")
    share = SharedCase.objects.get(case=case, police_force=police_force)
    response = as_police.get(f"{SHARED}{share.id}/")
    [kept] = versions(share)
    assert kept.kind == "shared_case"
    assert kept.content.encode() == response.content


def test_charity_staff_read_disclosures_with_their_content_and_police_never(
    as_caseworker, as_police, case, police_force, other_charity
):
    share_with(as_caseworker, case, police_force)
    share = SharedCase.objects.get(case=case, police_force=police_force)
    [kept] = versions(share)

    listing = as_caseworker.get(disclosures_url(case))
    assert listing.status_code == 200
    [row] = listing.json()["results"]
    assert row["id"] == str(kept.pk)
    assert row["recipient"]["id"] == str(police_force.pk)
    assert row["share_reference"] == share.share_reference
    assert row["version"] == 1
    assert "content" not in row
    one = as_caseworker.get(f"{disclosures_url(case)}{kept.pk}/")
    assert one.status_code == 200
    assert one.json()["content"] == kept.content

    assert as_police.get(disclosures_url(case)).status_code == 403
    outsider = client_for(SupervisorFactory(organisation=other_charity))
    assert outsider.get(disclosures_url(case)).status_code == 404


def test_disclosures_are_in_the_clients_subject_access_export(
    as_caseworker, as_police, case, police_force
):
    share_with(as_caseworker, case, police_force)
    share = SharedCase.objects.get(case=case, police_force=police_force)
    received = as_police.get(f"{SHARED}{share.id}/").content.decode()

    [item] = export_client(case.client)["cases"]
    [sent] = item["disclosures"]
    assert sent["content"] == received
    assert sent["recipient_name"] == police_force.name
    assert (sent["kind"], sent["version"]) == ("anonymous_intelligence", 1)


def test_repeated_reads_of_a_changed_view_keep_one_new_version(
    as_caseworker, as_police, case, police_force
):
    """The first read after a change keeps the new version; the reads after it find it."""
    share_with(as_caseworker, case, police_force)
    share = SharedCase.objects.get(case=case, police_force=police_force)
    edit(as_caseworker, f"/api/v1/cases/{case.id}/", {"offence_types": ["theft"]})
    for _ in range(3):
        assert as_police.get(f"{SHARED}{share.id}/").status_code == 200
    assert [d.version for d in versions(share)] == [1, 2]


QUERIES_FOR_A_SHARE_READ = 7


@pytest.mark.parametrize("level", ["anonymous", "identified"])
def test_a_police_read_of_a_share_costs_a_fixed_number_of_queries(
    as_caseworker, police_liaison, case, police_force, level, django_assert_num_queries
):
    """Signing in, the share, the latest version's hash, and the audited read; the identified
    view reads its hearings and the case's person besides."""
    share_with(as_caseworker, case, police_force, level=level)
    share = SharedCase.objects.get(case=case, police_force=police_force)
    extra = {"anonymous": 0, "identified": 2}[level]
    police = client_for(police_liaison)
    with django_assert_num_queries(QUERIES_FOR_A_SHARE_READ + extra):
        response = police.get(f"{SHARED}{share.id}/")
    assert response.status_code == 200
