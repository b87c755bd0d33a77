"""factory_boy factories for real rows in the real database."""

import factory
from factory.django import DjangoModelFactory

from casework.accounts.choices import OrganisationKind, Role, Scope
from casework.accounts.models import Organisation, User
from casework.accounts.services.api_keys import api_key_create

PASSWORD = "a-long-enough-test-passphrase"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Charity {n}")
    code = factory.Sequence(lambda n: "C" + "".join(chr(65 + int(d)) for d in f"{n:04d}"))
    kind = OrganisationKind.CHARITY


class PoliceForceFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Police Force {n}")
    code = factory.Sequence(lambda n: "P" + "".join(chr(65 + int(d)) for d in f"{n:04d}"))
    kind = OrganisationKind.POLICE


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CASEWORKER

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """As the staff service does: supervisors join their organisation's supervisors group."""
        if create:
            from permissions.objects import sync_group_membership

            sync_group_membership(self)


class SupervisorFactory(UserFactory):
    role = Role.SUPERVISOR


class IsvaFactory(UserFactory):
    role = Role.ISVA


class PoliceLiaisonFactory(UserFactory):
    organisation = factory.SubFactory(PoliceForceFactory)
    role = Role.POLICE_LIAISON


class SuperuserFactory(UserFactory):
    organisation = None
    role = None
    is_superuser = True
    is_staff = True


def make_api_key(organisation: Organisation, scopes: list[str] | None = None, **kwargs):
    """Returns (api_key, secret)."""
    if scopes is None:
        scopes = [Scope.REFERRALS_WRITE] if organisation.is_charity else [Scope.SHARED_CASES_READ]
    kwargs.setdefault("by", kwargs.pop("created_by", "test-suite"))
    return api_key_create(organisation=organisation, name="Test system", scopes=scopes, **kwargs)
