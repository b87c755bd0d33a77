"""The registry of personal data (casework/privacy/classification.py): every stored field has a
class, every personal field is encrypted, text said not to be personal says why, the document is
written from it, and the subject-access export and erasure follow it field by field."""

import dataclasses
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.utils import timezone

from casework.court.models import CourtEvent
from casework.court.services import court_event_update
from casework.crypto.fields import EncryptedTextField
from casework.crypto.migration_ops import seal_plaintext
from casework.privacy.anonymise import REMOVED
from casework.privacy.classification import (
    CLIENT_PATHS,
    REGISTRY,
    classified,
    personal_fields,
    project_models,
    rows_about,
)
from casework.privacy.subject_rights import CASE_SECTIONS, _value, erase_client, export_client
from casework.reminders.models import Reminder
from casework.reminders.services import reminder_snooze

from ..test_encryption import pg_dump_data
from .world import Bundle, build

# What the export is not asked to hold, and why.
NOT_EXPORTED = {"privacy.ErasureRecord": "written when the client is erased: nothing is left"}
TEXT = (models.CharField, models.TextField, models.JSONField)


def all_fields() -> set[tuple[str, str]]:
    return {(m._meta.label, f.name) for m in project_models() for f in m._meta.concrete_fields}


def holding_personal_data() -> list[type[models.Model]]:
    return [m for m in project_models() if personal_fields(m)]


def is_free_text(field: models.Field) -> bool:
    if isinstance(field, EncryptedTextField):
        return False
    if isinstance(field, models.JSONField):
        return True
    base = field.base_field if hasattr(field, "base_field") else field
    return isinstance(base, TEXT) and not base.choices


# The registry itself


def test_every_stored_field_has_exactly_one_class():
    keys = [(e.model, e.field) for e in REGISTRY]
    assert len(keys) == len(set(keys)), "a field is classified twice"
    assert sorted(all_fields() - set(keys)) == []


def test_the_registry_names_no_field_that_is_not_stored():
    assert sorted({(e.model, e.field) for e in REGISTRY} - all_fields()) == []


def test_every_personal_field_is_stored_encrypted():
    plaintext = [
        (e.model, e.field)
        for e in REGISTRY
        if e.personal and not isinstance(_field(e.model, e.field), EncryptedTextField)
    ]
    assert plaintext == []


def test_text_classified_as_not_personal_says_why():
    silent = [
        (e.model, e.field)
        for e in REGISTRY
        if not e.personal and is_free_text(_field(e.model, e.field)) and not e.reason
    ]
    assert silent == []


def test_the_text_the_review_found_in_plaintext_is_now_encrypted():
    for label, name in [
        ("cases.Case", "incident_area"),
        ("court.CourtEvent", "outcome"),
        ("court.CourtEventDateChange", "reason"),
        ("sharing.PoliceInvolvement", "crime_reference"),
        ("sharing.PoliceInvolvement", "officer_name"),
        ("sharing.PoliceInvolvement", "officer_contact"),
        ("reminders.Reminder", "snooze_reason"),
        ("clients.ContactMethod", "retired_reason"),
        ("clients.Client", "pronouns"),
        ("clients.Client", "languages"),
        ("clients.Client", "interpreter_language"),
    ]:
        assert classified()[(label, name)].personal, (label, name)
        assert isinstance(_field(label, name), EncryptedTextField), (label, name)


@pytest.mark.django_db
def test_every_model_holding_personal_data_leads_to_a_client():
    for model in holding_personal_data():
        label = model._meta.label
        assert label in CLIENT_PATHS, label
        if CLIENT_PATHS[label]:
            model._base_manager.filter(**{CLIENT_PATHS[label]: None}).exists()  # a valid path


@pytest.mark.django_db
def test_the_document_is_written_from_the_registry():
    out = StringIO()
    call_command("data_classification", check=True, stdout=out)
    assert "is current" in out.getvalue()


@pytest.mark.django_db
def test_the_document_check_fails_when_the_registry_changes(monkeypatch):
    from casework.privacy import classification

    changed = [*REGISTRY[:-1], dataclasses.replace(REGISTRY[-1], reason="changed")]
    monkeypatch.setattr(classification, "REGISTRY", changed)
    with pytest.raises(CommandError, match="not current"):
        call_command("data_classification", check=True, stdout=StringIO())


def _field(label: str, name: str) -> models.Field:
    from django.apps import apps

    return apps.get_model(label)._meta.get_field(name)


# The export and erasure, field by field


DATE_CHANGE = "Defendant's barrister at Hollis's other trial"
SNOOZE = "She is in St James's for a week"


def moved_and_snoozed(bundle: Bundle, staff, tag: str) -> Bundle:
    """The privacy world's case, with its hearing moved and a reminder snoozed as well."""
    hearing = CourtEvent.objects.get(case=bundle.case)
    court_event_update(
        event=hearing,
        actor=staff,
        starts_at=hearing.starts_at + timedelta(days=7),
        date_change_reason=f"{DATE_CHANGE} {tag}",
    )
    reminder = Reminder.objects.create(
        organisation=bundle.case.organisation,
        kind="no_contact",
        case=bundle.case,
        assignee=staff,
        due_at=timezone.now(),
        dedup_key=f"test:{bundle.case.pk}",
    )
    reminder_snooze(
        reminder=reminder,
        by=staff,
        until=timezone.now() + timedelta(days=2),
        reason=f"{SNOOZE} {tag}",
    )
    bundle.secrets |= {"date_change": f"{DATE_CHANGE} {tag}", "snooze": f"{SNOOZE} {tag}"}
    return bundle


@pytest.fixture
def full(caseworker, supervisor, police_force, police_liaison) -> Bundle:
    return moved_and_snoozed(build(caseworker, police_force, police_liaison, "R"), caseworker, "R")


def _export_sections(data: dict) -> dict[str, list[dict]]:
    sections = {
        "clients.Client": [data["client"]],
        "clients.ContactMethod": data["contact_methods"],
    }
    [case] = data["cases"]
    sections["cases.Case"] = [case["case"]]
    for name, model, _, _ in CASE_SECTIONS:
        sections[model._meta.label] = case[name]
    return sections


@pytest.mark.django_db
def test_the_export_holds_every_personal_field_of_every_row_about_the_client(full):
    sections = _export_sections(export_client(full.client))

    expected_models = {m._meta.label for m in holding_personal_data()} - set(NOT_EXPORTED)
    assert expected_models <= set(sections)
    compared = 0
    for model in holding_personal_data():
        label = model._meta.label
        if label in NOT_EXPORTED:
            continue
        personal = personal_fields(model)
        exported = [{f: row.get(f, "MISSING") for f in personal} for row in sections[label]]
        rows = list(rows_about(model, full.client))
        assert rows, f"the world holds no {label}"
        for row in rows:
            assert {f: _value(getattr(row, f)) for f in personal} in exported, label
            compared += 1
    assert compared >= len(expected_models)
    # What the review found missing is there.
    [case] = export_client(full.client)["cases"]
    assert [r["description"] for r in case["safety_plan"]] == [full.secrets["safety"]]
    assert case["police_involvement"][0]["officer_name"] == full.secrets["officer_name"]
    assert case["hearing_date_changes"][0]["reason"] == full.secrets["date_change"]
    snoozed = [r["snooze_reason"] for r in case["reminders"] if r["snooze_reason"]]
    assert snoozed == [full.secrets["snooze"]]


@pytest.mark.django_db
def test_erasure_clears_every_personal_field_of_every_row_about_the_client(full, supervisor):
    erase_client(client=full.client, by=supervisor, reason="Asked in writing")

    cleared = (None, "", [], REMOVED, "Anonymised", "anonymised")  # markers, not data
    for model in holding_personal_data():
        label = model._meta.label
        if label == "privacy.ErasureRecord":
            continue  # the record of the erasure itself, with its reason
        for row in rows_about(model, full.client):
            for name in personal_fields(model):
                assert getattr(row, name) in cleared, (label, name, getattr(row, name))


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_none_of_the_newly_encrypted_values(
    caseworker, police_force, police_liaison
):
    bundle = build(caseworker, police_force, police_liaison, "D")
    s = moved_and_snoozed(bundle, caseworker, "D").secrets

    dump = pg_dump_data()

    for value in [
        s["court_outcome"],
        s["crime_reference"],
        s["officer_name"],
        s["officer_contact"],
        s["language"],
        "Holbeck",  # the incident area
        "Simon on the Streets",  # the agency
        s["date_change"],
        s["snooze"],
    ]:
        assert value not in dump, value


SEAL_INCIDENT_AREA = seal_plaintext("cases.Case", "incident_area")


@pytest.mark.django_db
def test_the_migration_seals_a_value_left_in_plaintext(caseworker, police_force, police_liaison):
    from casework.cases.models import Case
    from casework.core.database_roles import as_owner

    bundle = build(caseworker, police_force, police_liaison, "M")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET incident_area = %s WHERE id = %s",
            ["Under the viaduct M", bundle.case.pk],
        )
    with as_owner():
        SEAL_INCIDENT_AREA.code(None, SimpleNamespace(connection=connection))

    assert Case.objects.get(pk=bundle.case.pk).incident_area == "Under the viaduct M"
    with connection.cursor() as cursor:
        cursor.execute("SELECT incident_area FROM cases_case WHERE id = %s", [bundle.case.pk])
        assert cursor.fetchone()[0].startswith("enc1:")
