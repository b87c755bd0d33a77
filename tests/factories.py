"""factory_boy factories for real rows in the real database: a world in one line.

    share = SharedCaseFactory(case__opened_by=caseworker, police_force=force, level="anonymous")

is a client of the caseworker's charity, a case they are assigned to, the consent decisions a
client makes to share it, and the share those decisions derive, each with its audit event."""

import itertools
from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from casework.accounts.choices import OrganisationKind, Role, Scope
from casework.accounts.models import Organisation, User
from casework.accounts.services.api_keys import api_key_create
from casework.cases.choices import (
    ContactChannel,
    ContactDirection,
    ContactOutcome,
    Lifecycle,
    ReferralSource,
)
from casework.cases.models import Case, ContactLogEntry, Referral
from casework.cases.services.cases import case_create, case_transition
from casework.cases.services.contacts import contact_log
from casework.cases.services.referrals import referral_create
from casework.clients.choices import ContactKind
from casework.clients.models import Client, ContactMethod
from casework.clients.services import client_create, contact_method_add
from casework.court.choices import HearingType
from casework.court.models import CourtEvent
from casework.court.services import court_event_add
from casework.sharing.choices import ConsentMethod, ConsentScope, ShareStatus, SharingLevel
from casework.sharing.models import ConsentDecision, SharedCase
from casework.sharing.services import consent_record

PASSWORD = "a-long-enough-test-passphrase"
# The mobile of a reachable client (a number Ofcom keeps for drama, never a real person's).
CLIENT_MOBILE = "07700 900461"
# The consent scope that shares a case at each level.
SHARING_SCOPES = {
    SharingLevel.IDENTIFIED: ConsentScope.SHARE_WITH_POLICE,
    SharingLevel.ANONYMOUS: ConsentScope.SHARE_ANONYMOUS_INTELLIGENCE,
}
_pseudonyms = itertools.count(1)


def next_pseudonym() -> str:
    """Every client made here is called something different unless a test names them."""
    return f"Person {next(_pseudonyms)}"


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
    """A caseworker, of a new charity unless ``organisation`` says; the other roles follow."""

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
            from casework.accounts.roles import sync_group_membership

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


# --- records made through the services ----------------------------------------------------------
#
# Everything below is created by the service function the API calls, never by saving a model, so
# the audit events, the object permissions and the shares derived from consent are the ones the
# application makes. Each factory's ``_create`` hands its declarations to that service; anything
# else passed in (``risk_level``, ``safe_to_text``, ``note``…) goes to the service as it is.
#
# Organisations and staff above are saved directly: they are the world the audit trail is about,
# and a service-made member of staff would add events to the very chains the audit tests count.
# Staff still join their groups as ``staff_create`` has them join.


class ClientFactory(factory.Factory):
    """A client registered by a member of staff (``created_by``) of their own charity. Pass
    ``organisation`` alone and the one registering them is a new caseworker of it; pass
    ``reachable=True`` for a preferred mobile that is safe to text (``CLIENT_MOBILE``)."""

    class Meta:
        model = Client

    class Params:
        reachable = factory.Trait(
            mobile=factory.RelatedFactory(
                "tests.factories.ContactMethodFactory",
                factory_related_name="client",
                kind=ContactKind.MOBILE,
                value=CLIENT_MOBILE,
                preferred=True,
                safe_to_text=True,
            )
        )

    organisation = None
    created_by = factory.Maybe(
        "organisation",
        yes_declaration=factory.SubFactory(
            UserFactory, organisation=factory.SelfAttribute("..organisation")
        ),
        no_declaration=factory.SubFactory(UserFactory),
    )
    pseudonym = factory.LazyFunction(next_pseudonym)

    @classmethod
    def _create(cls, model_class, *, organisation=None, created_by, **values):
        return client_create(
            organisation=organisation or created_by.organisation, created_by=created_by, **values
        )


class ContactMethodFactory(factory.Factory):
    """A contact method added to a client, by whoever registered the client unless said."""

    class Meta:
        model = ContactMethod

    client = factory.SubFactory(ClientFactory)
    created_by = factory.LazyAttribute(lambda method: method.client.created_by)
    kind = ContactKind.MOBILE
    value = factory.Sequence(lambda n: f"07700 900{n % 1000:03d}")

    @classmethod
    def _create(cls, model_class, **fields):
        return contact_method_add(**fields)


class ReferralFactory(factory.Factory):
    """A referral received by a charity, recorded by a member of its staff (``actor``) or, when
    the actor is an API key's principal, by another system."""

    class Meta:
        model = Referral

    organisation = None
    actor = factory.Maybe(
        "organisation",
        yes_declaration=factory.SubFactory(
            UserFactory, organisation=factory.SelfAttribute("..organisation")
        ),
        no_declaration=factory.SubFactory(UserFactory),
    )
    source = ReferralSource.OUTREACH
    summary = factory.Sequence(lambda n: f"Referral {n}")

    @classmethod
    def _create(cls, model_class, *, organisation=None, actor, **fields):
        return referral_create(
            organisation=organisation or actor.organisation, actor=actor, **fields
        )


class CaseFactory(factory.Factory):
    """A case opened for a client by a member of staff (``opened_by``), who is assigned unless
    they are a supervisor; ``assigned_to`` assigns others too. The client is registered by the
    same person, named ``pseudonym`` if given, and ``reachable=True`` gives them a preferred
    mobile safe to text. ``support="active"`` (or another status) moves support on from
    referred once the case is open, through the lifecycle, for ``support_reason`` and with
    ``closure_reason`` when it closes."""

    class Meta:
        model = Case

    class Params:
        pseudonym = factory.LazyFunction(next_pseudonym)
        reachable = False

    opened_by = factory.SubFactory(UserFactory)
    client = factory.SubFactory(
        ClientFactory,
        created_by=factory.SelfAttribute("..opened_by"),
        pseudonym=factory.SelfAttribute("..pseudonym"),
        reachable=factory.SelfAttribute("..reachable"),
    )
    support = None

    @classmethod
    def _create(
        cls, model_class, *, support=None, support_reason="Engaged.", closure_reason="", **fields
    ):
        case = case_create(**fields)
        if support:
            case = case_transition(
                case=case,
                actor=case.created_by,
                lifecycle=Lifecycle.SUPPORT,
                to=support,
                reason=support_reason,
                closure_reason=closure_reason,
            )
        return case


class ConsentDecisionFactory(factory.Factory):
    """A consent decision appended to a case's ledger by the member of staff who opened it, which
    brings police access into line with it as the service does."""

    class Meta:
        model = ConsentDecision

    case = factory.SubFactory(CaseFactory)
    recorded_by = factory.LazyAttribute(lambda decision: decision.case.created_by)
    scope = ConsentScope.STORE_RECORDS
    granted = True
    method = ConsentMethod.VERBAL

    @classmethod
    def _create(cls, model_class, **fields):
        return consent_record(**fields)


class SharedCaseFactory(factory.Factory):
    """A case shared with a police force, made as a client's consent makes it: the decision to
    store records, then to share at ``level`` (``"identified"`` or ``"anonymous"``) with the
    force, and, with ``contact_directly=True``, that police may contact them directly. Returns the
    share those decisions derived. ``review_date`` is the sharing decision's."""

    class Meta:
        model = SharedCase

    case = factory.SubFactory(CaseFactory)
    police_force = factory.SubFactory(PoliceForceFactory)
    level = SharingLevel.IDENTIFIED
    contact_directly = False
    recorded_by = factory.LazyAttribute(lambda share: share.case.created_by)
    review_date = None

    @classmethod
    def _create(
        cls, model_class, *, case, police_force, level, contact_directly, recorded_by, review_date
    ):
        def decide(scope, **fields):
            ConsentDecisionFactory(case=case, recorded_by=recorded_by, scope=scope, **fields)

        decide(ConsentScope.STORE_RECORDS)
        decide(SHARING_SCOPES[level], police_force=police_force, review_date=review_date)
        if contact_directly:
            decide(ConsentScope.POLICE_MAY_CONTACT_DIRECTLY, police_force=police_force)
        return SharedCase.objects.get(
            case=case, police_force=police_force, status=ShareStatus.ACTIVE
        )


class ContactLogEntryFactory(factory.Factory):
    """A contact logged on a case by the member of staff who opened it, as happening now unless
    ``occurred_at`` says otherwise: an unanswered outbound phone call."""

    class Meta:
        model = ContactLogEntry

    case = factory.SubFactory(CaseFactory)
    recorded_by = factory.LazyAttribute(lambda entry: entry.case.created_by)
    occurred_at = factory.LazyFunction(timezone.now)
    channel = ContactChannel.PHONE_CALL
    direction = ContactDirection.OUTBOUND
    outcome = ContactOutcome.NO_ANSWER

    @classmethod
    def _create(cls, model_class, **fields):
        return contact_log(**fields)


class CourtEventFactory(factory.Factory):
    """A hearing on a case, added by the member of staff who opened it: a first hearing at
    Leeds Magistrates' Court in a fortnight unless said."""

    class Meta:
        model = CourtEvent

    case = factory.SubFactory(CaseFactory)
    actor = factory.LazyAttribute(lambda event: event.case.created_by)
    hearing_type = HearingType.FIRST_HEARING
    court = "Leeds Magistrates' Court"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))

    @classmethod
    def _create(cls, model_class, **fields):
        return court_event_add(**fields)
