"""The database itself refuses staff who do not fit their organisation, whatever the code does."""

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, transaction

from casework.accounts.models import Organisation, User

from ..factories import OrganisationFactory, PoliceForceFactory

pytestmark = pytest.mark.django_db

DB_REFUSAL = (IntegrityError, InternalError, ProgrammingError)


@pytest.mark.parametrize(
    "factory,role",
    [
        (OrganisationFactory, "police_liaison"),
        (PoliceForceFactory, "caseworker"),
        (PoliceForceFactory, "supervisor"),
    ],
)
def test_a_role_that_does_not_fit_the_kind_is_refused_by_the_database(factory, role):
    organisation = factory()
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        User.objects.create(username="misfit", organisation=organisation, role=role)
    assert not User.objects.filter(username="misfit").exists()


def test_a_role_cannot_be_changed_to_one_that_does_not_fit(caseworker):
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        User.objects.filter(pk=caseworker.pk).update(role="police_liaison")
    caseworker.refresh_from_db()
    assert caseworker.role == "caseworker"


def test_staff_without_an_organisation_or_role_are_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="floating")
    User.objects.create(username="platform.admin", is_superuser=True)
    assert User.objects.filter(username="platform.admin").exists()


def test_an_organisations_kind_cannot_change(charity):
    with pytest.raises(DB_REFUSAL), transaction.atomic():
        Organisation.objects.filter(pk=charity.pk).update(kind="police")
    charity.refresh_from_db()
    assert charity.kind == "charity"


def test_usernames_are_unique_whatever_their_case(caseworker):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            username=caseworker.username.upper(),
            organisation=caseworker.organisation,
            role="caseworker",
        )
