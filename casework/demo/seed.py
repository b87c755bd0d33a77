"""Demo data: organisations and people for every role, built idempotently.

Run through ``python manage.py seed_demo``. Every step looks up what a previous run made, so
running it again changes nothing but resets the demo passwords."""

from dataclasses import dataclass

from django.db import transaction

from casework.accounts.choices import OrganisationKind, Role
from casework.accounts.models import Organisation, User
from casework.accounts.services.organisations import (
    organisation_create,
    organisation_settings_update,
)
from casework.accounts.services.staff import staff_create

from .alerts import seed_alerts
from .cases import (
    NORTH_CLIENTS,
    seed_attachments,
    seed_cases,
    seed_court_and_support,
    seed_sharing,
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    organisation: str


ORGANISATIONS = [
    ("Demo Support Project", "DEMO", OrganisationKind.CHARITY),
    ("Northern Outreach Trust", "NOT", OrganisationKind.CHARITY),
    ("Demo Constabulary", "DPOL", OrganisationKind.POLICE),
    ("Other Shire Police", "OSP", OrganisationKind.POLICE),
]

STAFF = [
    ("demo.supervisor", "Sam", "Okafor", Role.SUPERVISOR, "DEMO"),
    ("demo.caseworker", "Chris", "Lee", Role.CASEWORKER, "DEMO"),
    ("demo.isva", "Ife", "Adeyemi", Role.ISVA, "DEMO"),
    ("north.supervisor", "Nat", "Hughes", Role.SUPERVISOR, "NOT"),
    ("north.caseworker", "Noor", "Shah", Role.CASEWORKER, "NOT"),
    ("demo.police", "Pat", "Morgan", Role.POLICE_LIAISON, "DPOL"),
    ("other.police", "Olly", "Reed", Role.POLICE_LIAISON, "OSP"),
]


# Each charity's areas: what police are told of where a shared case happened.
AREAS = {
    "DEMO": ["City centre", "Holbeck", "Chapeltown", "Harehills", "Kirkstall"],
    "NOT": ["Bradford", "Keighley", "Shipley"],
}


def _organisation(name: str, code: str, kind: str) -> Organisation:
    existing = Organisation.objects.filter(code=code).first()
    return existing or organisation_create(name=name, code=code, kind=kind, by="seed_demo")


@transaction.atomic
def seed(*, password: str) -> list[DemoLogin]:
    organisations = {code: _organisation(name, code, kind) for name, code, kind in ORGANISATIONS}
    logins = []
    for username, first, last, role, code in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            staff_create(
                by="seed_demo",
                organisation=organisations[code],
                username=username,
                password=password,
                role=role,
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
            )
        else:
            user.set_password(password)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
        logins.append(DemoLogin(username, role, organisations[code].name))
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in STAFF])}
    for code, supervisor in (("DEMO", "demo.supervisor"), ("NOT", "north.supervisor")):
        if not organisations[code].areas:
            organisations[code] = organisation_settings_update(
                organisation=organisations[code], by=users[supervisor], areas=AREAS[code]
            )
    seed_cases(
        organisation=organisations["DEMO"],
        caseworker=users["demo.caseworker"],
        isva=users["demo.isva"],
        supervisor=users["demo.supervisor"],
    )
    seed_sharing(
        organisation=organisations["DEMO"],
        caseworker=users["demo.caseworker"],
        police_force=organisations["DPOL"],
        police_officer=users["demo.police"],
    )
    seed_court_and_support(organisation=organisations["DEMO"], isva=users["demo.isva"])
    seed_attachments(
        organisation=organisations["DEMO"],
        caseworker=users["demo.caseworker"],
        police_force=organisations["DPOL"],
    )
    seed_alerts(
        organisation=organisations["DEMO"],
        caseworker=users["demo.caseworker"],
        supervisor=users["demo.supervisor"],
    )
    seed_cases(
        organisation=organisations["NOT"],
        caseworker=users["north.caseworker"],
        isva=users["north.caseworker"],
        supervisor=users["north.supervisor"],
        clients=NORTH_CLIENTS,
    )
    admin = User.objects.filter(username="demo.admin").first()
    if admin is None:
        admin = User(username="demo.admin", is_superuser=True, is_staff=True)
    admin.set_password(password)
    admin.save()
    logins.append(DemoLogin("demo.admin", "superuser", "(platform)"))
    return logins
