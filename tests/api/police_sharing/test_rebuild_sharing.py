"""rebuild_sharing brings police access back into line with the consent ledger, and says what
it repaired, without ever touching the ledger."""

from io import StringIO

import pytest
from django.core.management import call_command

from casework.sharing.derivation import liaison_group
from casework.sharing.models import ConsentDecision, SharedCaseGroupObjectPermission

from ...factories import SharedCaseFactory
from .world import consent, detail, open_case, withdraw

pytestmark = pytest.mark.django_db


def rebuild(*args) -> str:
    out = StringIO()
    call_command("rebuild_sharing", *args, stdout=out)
    return out.getvalue()


def test_rebuild_sharing_reports_nothing_on_a_consistent_database(
    as_caseworker, caseworker, case, police_force, other_force
):
    SharedCaseFactory(case=case, police_force=police_force, contact_directly=True)
    consent(as_caseworker, case, "share_anonymous_intelligence", force=other_force)
    second = open_case(caseworker)
    SharedCaseFactory(case=second, police_force=police_force)
    withdraw(as_caseworker, second, police_force)
    before = list(
        SharedCaseGroupObjectPermission.objects.values_list("pk", flat=True).order_by("pk")
    )
    output = rebuild()
    assert "drift" not in output
    assert "repaired 0" in output
    after = list(
        SharedCaseGroupObjectPermission.objects.values_list("pk", flat=True).order_by("pk")
    )
    assert after == before


def test_rebuild_sharing_restores_a_deleted_permission_row(as_police, case, police_force):
    share = SharedCaseFactory(case=case, police_force=police_force)
    SharedCaseGroupObjectPermission.objects.filter(content_object=share).delete()
    assert as_police.get(detail(share)).status_code == 404
    output = rebuild()
    assert "drift" in output and share.share_reference in output
    assert "repaired 1" in output
    assert SharedCaseGroupObjectPermission.objects.filter(content_object=share).count() == 1
    assert as_police.get(detail(share)).status_code == 200
    assert "drift" not in rebuild()


def test_rebuild_sharing_removes_access_left_on_an_ended_share(
    as_caseworker, as_police, case, police_force
):
    share = SharedCaseFactory(case=case, police_force=police_force)
    withdraw(as_caseworker, case, police_force)
    permission = SharedCaseGroupObjectPermission.objects.model._meta.get_field("permission")
    view = permission.related_model.objects.get(codename="view_sharedcase")
    SharedCaseGroupObjectPermission.objects.create(
        group=liaison_group(police_force), permission=view, content_object=share
    )
    output = rebuild()
    assert "drift" in output and share.share_reference in output
    assert not SharedCaseGroupObjectPermission.objects.filter(content_object=share).exists()
    share.refresh_from_db()
    assert share.status == "ended"
    assert as_police.get(detail(share)).status_code == 404


def test_rebuild_sharing_dry_run_reports_but_repairs_nothing(as_police, case, police_force):
    share = SharedCaseFactory(case=case, police_force=police_force)
    SharedCaseGroupObjectPermission.objects.filter(content_object=share).delete()
    output = rebuild("--dry-run")
    assert "drift" in output and share.share_reference in output
    assert "would repair 1" in output
    assert not SharedCaseGroupObjectPermission.objects.filter(content_object=share).exists()
    assert as_police.get(detail(share)).status_code == 404
    assert "repaired 1" in rebuild()
    assert as_police.get(detail(share)).status_code == 200


def test_rebuild_sharing_never_touches_the_ledger(case, police_force):
    SharedCaseFactory(case=case, police_force=police_force, contact_directly=True)
    SharedCaseGroupObjectPermission.objects.all().delete()
    before = list(ConsentDecision.objects.values_list("pk", "granted").order_by("pk"))
    rebuild()
    assert list(ConsentDecision.objects.values_list("pk", "granted").order_by("pk")) == before
