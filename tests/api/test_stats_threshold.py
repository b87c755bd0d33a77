"""Each organisation's own statistics threshold: a supervisor may raise it above the deployment's
floor (``STATS_SUPPRESSION_THRESHOLD``) and never set it below; every published figure is then
withheld under it, and a force's figures under the highest threshold of the charities whose
shares they count."""

from datetime import date

import pytest

from casework.accounts.models import Organisation
from casework.accounts.services.organisations import organisation_settings_update
from casework.audit.models import AuditEvent

from ..editing import edit
from ..factories import OrganisationFactory, SupervisorFactory
from .test_stats import (  # noqa: F401 (fixtures)
    STATS,
    first_quarter,
    force_shares,
    lower_threshold,
)

pytestmark = pytest.mark.django_db

SETTINGS = "/api/v1/organisation-settings/"


def test_a_new_organisation_withholds_what_the_deployment_withholds(settings):
    settings.STATS_SUPPRESSION_THRESHOLD = 7
    assert OrganisationFactory().stats_threshold == 7


def test_a_supervisor_raises_the_threshold_and_it_is_audited(as_supervisor, charity):
    assert as_supervisor.get(SETTINGS).json()["stats_threshold"] == 5
    response = edit(as_supervisor, SETTINGS, {"stats_threshold": 10})
    assert response.status_code == 200, response.json()
    assert response.json()["stats_threshold"] == 10
    charity.refresh_from_db()
    assert charity.stats_threshold == 10
    event = AuditEvent.objects.filter(action="organisation.settings").latest("id")
    assert event.changed_fields == ["stats_threshold"]


@pytest.mark.parametrize("value", [0, 4, 101, "five"])
def test_a_threshold_below_the_floor_or_out_of_range_is_refused(as_supervisor, charity, value):
    response = edit(as_supervisor, SETTINGS, {"stats_threshold": value})
    assert response.status_code == 400, response.json()
    assert response.json()["fields"]["stats_threshold"]
    assert Organisation.objects.get(pk=charity.pk).stats_threshold == 5


def test_the_floor_is_named_in_the_refusal(as_supervisor, settings):
    settings.STATS_SUPPRESSION_THRESHOLD = 8
    response = edit(as_supervisor, SETTINGS, {"stats_threshold": 6})
    assert response.status_code == 400
    assert response.json()["fields"]["stats_threshold"] == [
        "The threshold can be raised, never set below this deployment's 8."
    ]


def test_a_caseworker_cannot_change_the_threshold(as_caseworker, charity):
    response = edit(as_caseworker, SETTINGS, {"stats_threshold": 50})
    assert response.status_code == 403
    assert Organisation.objects.get(pk=charity.pk).stats_threshold == 5


@pytest.mark.usefixtures("first_quarter")
def test_the_charitys_own_threshold_withholds_its_figures(as_supervisor, charity):
    charity.stats_threshold = 7
    charity.save(update_fields=["stats_threshold"])
    body = as_supervisor.get(STATS, {"period": "2025-Q1", "group_by": "month"}).json()
    # January 6 and February 3 fall below 7; March's 7 does not.
    assert body["threshold"] == 7
    assert [(row["key"], row["count"]) for row in body["opened"]["rows"]] == [
        ("2025-01", None),
        ("2025-02", None),
        ("2025-03", 7),
    ]
    charity.stats_threshold = 8
    charity.save(update_fields=["stats_threshold"])
    body = as_supervisor.get(STATS, {"period": "2025-Q1", "group_by": "month"}).json()
    assert body["threshold"] == 8
    assert all(row["suppressed"] for row in body["opened"]["rows"])
    assert body["opened"]["total"] == {"count": 16, "suppressed": False}


@pytest.mark.usefixtures("first_quarter")
def test_the_deployment_floor_wins_over_a_lower_organisation_value(
    as_supervisor, charity, settings
):
    """The floor raised after an organisation chose its own: the floor counts."""
    settings.STATS_SUPPRESSION_THRESHOLD = 8
    body = as_supervisor.get(STATS, {"period": "2025-Q1", "group_by": "month"}).json()
    assert charity.stats_threshold == 5
    assert body["threshold"] == 8
    assert all(row["suppressed"] for row in body["opened"]["rows"])


@pytest.mark.usefixtures("force_shares")
def test_a_forces_figures_keep_to_the_highest_threshold_of_the_charities_counted(
    as_police, settings, police_force, django_capture_on_commit_callbacks
):
    lower_threshold(settings, 1)
    shown = as_police.get(STATS, {"period": "2025", "group_by": "share_level"}).json()
    assert shown["threshold"] == 1
    assert [row["count"] for row in shown["shares"]["rows"]] == [2, 5]
    sharing = police_force.shared_cases.first().case.organisation
    with django_capture_on_commit_callbacks(execute=True):
        organisation_settings_update(
            organisation=sharing, by=SupervisorFactory(organisation=sharing), stats_threshold=3
        )
    withheld = as_police.get(STATS, {"period": "2025", "group_by": "share_level"}).json()
    assert withheld["threshold"] == 3
    assert withheld["shares"]["rows"] == [
        {"key": "anonymous", "count": None, "suppressed": True},
        {"key": "identified", "count": None, "suppressed": True},
    ]
    police_force.stats_threshold = 8
    police_force.save(update_fields=["stats_threshold"])
    own = as_police.get(STATS, {"period": "2025", "group_by": "share_level"}).json()
    assert own["threshold"] == 8
    assert own["shares"]["total"] == {"count": None, "suppressed": True}


def test_a_date_is_not_needed_for_the_threshold_to_apply(as_supervisor, charity):
    """No figures at all: the threshold is still the organisation's."""
    charity.stats_threshold = 12
    charity.save(update_fields=["stats_threshold"])
    body = as_supervisor.get(STATS, {"from": date(2024, 1, 1).isoformat()}).json()
    assert body["threshold"] == 12
