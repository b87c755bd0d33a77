"""Every record hanging off a case is registered with ``restrict()`` and is exactly as visible as
its case: a model added later without a registration fails here, not in production."""

import pytest
from django.apps import apps
from django.db import models

from casework.alerts.models import Alert, AlertIdentifier
from casework.approvals.models import Approval
from casework.attachments.models import Attachment
from casework.cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from casework.cases.services.contacts import note_add
from casework.contact_requests.models import ContactRequest
from casework.disclosures.models import RecordsRequest
from casework.privacy.models import ErasureRecord
from casework.reminders.models import Reminder
from casework.sharing.models import (
    SharedCase,
    SharedCaseGroupObjectPermission,
    SharedCaseUserObjectPermission,
    SharedUpdate,
)
from permissions.querysets import _RESTRICTORS, CASE_RECORDS, restrict

from ..factories import CaseFactory, ConsentDecisionFactory, UserFactory

# Registered on their own terms: the permission rows are what ``restrict`` reads (and are never
# served), a share and its updates are police's view of a case, a request for records is read
# by the force through its share as well as by the charity, a reminder follows its assignee as
# well as its case, a contact request is both the case's record and its share's, an attachment
# is the case's record and, once a caseworker shares it, its force's, a proposal its proposer
# (and every supervisor of the charity), and an alert is its case's record until it is
# published, when the charity's staff and subscribers read it too. The record of an erasure is
# never served at all: ``restrict`` refuses it.
OWN_RULES = {
    Alert,
    AlertIdentifier,
    Approval,
    ErasureRecord,
    CaseUserObjectPermission,
    CaseGroupObjectPermission,
    SharedCaseUserObjectPermission,
    SharedCaseGroupObjectPermission,
    SharedCase,
    SharedUpdate,
    RecordsRequest,
    Reminder,
    ContactRequest,
    Attachment,
}


def _points_at_case(model: type[models.Model], depth: int = 2) -> bool:
    for field in model._meta.get_fields():
        if not (field.many_to_one or field.one_to_one) or not field.concrete:
            continue
        target = field.related_model
        if target is Case or (depth > 1 and _points_at_case(target, depth - 1)):
            return True
    return False


def test_every_model_hanging_off_a_case_is_registered():
    hanging = {
        model
        for model in apps.get_models()
        if model.__module__.startswith("casework.") and model is not Case
        if _points_at_case(model)
    }
    assert hanging - OWN_RULES - set(CASE_RECORDS) == set()
    assert set(CASE_RECORDS) <= set(_RESTRICTORS)
    assert {SharedCase, SharedUpdate, Reminder, ContactRequest, Approval, Attachment} <= set(
        _RESTRICTORS
    )
    assert ErasureRecord not in _RESTRICTORS


@pytest.mark.django_db
def test_a_case_record_is_visible_to_its_case_staff_and_nobody_else(
    caseworker, other_charity, police_liaison
):
    case = CaseFactory(opened_by=caseworker)
    note_add(case=case, author=caseworker, body="Seen", visibility="internal")
    ConsentDecisionFactory(case=case)
    outsiders = [
        UserFactory(organisation=case.organisation),
        UserFactory(organisation=other_charity),
    ]
    seen_some = 0
    for model, path in CASE_RECORDS.items():
        rows = model.objects.filter(**{path: case.pk})
        assert restrict(rows, principal=caseworker).count() == rows.count(), model
        seen_some += rows.exists()
        for outsider in [*outsiders, police_liaison]:
            assert not restrict(rows, principal=outsider).exists(), (model, outsider)
    assert seen_some >= 3
