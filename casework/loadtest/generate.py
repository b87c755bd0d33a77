"""Realistic volumes for benchmarks, written with COPY through the real field types.

Two charities share the cases; each case has a client with three contact routes (one retired),
a contact history (a hundredth of the cases carry a 200-event timeline), lifecycle history,
notes, and assigned staff holding the same guardian permissions the services grant. About a
fifth of the cases are shared with one of three police forces (a quarter of those anonymously,
half of which after an identified share the client withdrew from), with the derived shares and
permission rows the consent services would make."""

import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.choices import OrganisationKind, Role
from casework.accounts.models import Organisation, User
from casework.accounts.roles import liaison_group_name, supervisors_group_name
from casework.cases.models import (
    Case,
    CaseAssignment,
    CaseGroupObjectPermission,
    CaseReferenceCounter,
    CaseTransition,
    CaseUserObjectPermission,
    ContactLogEntry,
    Note,
)
from casework.cases.services.contacts import last_reached_refresh
from casework.clients.models import Client, ContactMethod
from casework.clients.services import pseudonym_hash
from casework.crypto import blind_index
from casework.sharing.models import (
    ConsentDecision,
    SharedCase,
    SharedCaseGroupObjectPermission,
    SharedUpdate,
)

from .copy import Copier

PREFIX = "LD"  # organisation codes of generated data
PASSWORD = "load-test-passphrase-2026"  # noqa: S105 (benchmark data only, documented)
OUTCOMES = ["reached", "no_answer", "message_left", "reached", "met_in_person", "no_answer"]
OFFENCES = [
    "harassment",
    "robbery",
    "theft",
    "physical_assault",
    "sexual_assault",
    "stalking",
    "malicious_communications",
    "rape",
]
AREAS = ["City centre", "North", "East", "South", "West", "Riverside"]


@dataclass
class Sizes:
    cases: int = 100_000
    contact_log: int = 1_000_000
    staff: int = 200
    supervisors_per_charity: int = 3
    forces: int = 3
    liaisons_per_force: int = 5
    shared_fraction: float = 0.2
    long_timeline_every: int = 100
    long_timeline_events: int = 200

    def check(self) -> None:
        for name in ("cases", "contact_log", "staff", "forces"):
            if getattr(self, name) <= 0:
                raise ValidationError({name: ["Must be above zero."]})


@dataclass
class Report:
    timings: list[tuple[str, float, int]] = field(default_factory=list)

    def timed(self, label: str, fn, *args) -> object:
        start = time.perf_counter()
        result = fn(*args)
        count = result if isinstance(result, int) else 0
        self.timings.append((label, time.perf_counter() - start, count))
        return result


def refuse_real_data() -> int:
    """Refuses a database holding anything but generated data; returns generated cases so far."""
    foreign = Organisation.objects.exclude(code__startswith=PREFIX)
    if foreign.exists() or User.objects.filter(organisation__isnull=True).exists():
        raise ValidationError(
            "This database holds data that was not generated (organisations or people of its "
            "own); the load generator only runs on an empty or generated database."
        )
    return Case.objects.filter(organisation__code__startswith=PREFIX).count()


class Generator:
    def __init__(self, sizes: Sizes, seed: int = 2026) -> None:
        self.sizes = sizes
        # Repeatable pseudo-random volumes, not secrets.
        self.random = random.Random(seed)  # noqa: S311
        self.now = timezone.now()
        self.report = Report()

    # --- organisations and people ---------------------------------------------------------

    def organisations(self) -> int:
        self.charities = [
            Organisation.objects.create(
                name=f"Load Charity {i}",
                code=f"{PREFIX}C{'AB'[i]}",
                kind=OrganisationKind.CHARITY,
                areas=AREAS,
            )
            for i in range(2)
        ]
        self.forces = [
            Organisation.objects.create(
                name=f"Load Police {i}",
                code=f"{PREFIX}P{'ABCDEFGHIJ'[i]}",
                kind=OrganisationKind.POLICE,
            )
            for i in range(self.sizes.forces)
        ]
        return len(self.charities) + len(self.forces)

    def people(self) -> int:
        password = make_password(PASSWORD)
        rows, self.staff, self.supervisors, self.liaisons = [], {}, {}, {}
        per_charity = max(1, self.sizes.staff // 2)
        for charity in self.charities:
            self.staff[charity.pk] = []
            self.supervisors[charity.pk] = []
            for n in range(per_charity):
                role = Role.ISVA if n % 4 == 0 else Role.CASEWORKER
                rows.append(
                    self._user(f"ld.{charity.code.lower()}.staff{n}", charity, role, password)
                )
                self.staff[charity.pk].append(rows[-1]["id"])
            for n in range(self.sizes.supervisors_per_charity):
                rows.append(
                    self._user(
                        f"ld.{charity.code.lower()}.super{n}", charity, Role.SUPERVISOR, password
                    )
                )
                self.supervisors[charity.pk].append(rows[-1]["id"])
        for force in self.forces:
            self.liaisons[force.pk] = []
            for n in range(self.sizes.liaisons_per_force):
                rows.append(
                    self._user(
                        f"ld.{force.code.lower()}.liaison{n}", force, Role.POLICE_LIAISON, password
                    )
                )
                self.liaisons[force.pk].append(rows[-1]["id"])
        count = Copier(User).copy(rows)
        memberships = []
        for charity in self.charities:
            group = Group.objects.create(name=supervisors_group_name(charity.pk))
            self.supervisors_group = getattr(self, "supervisors_group", {})
            self.supervisors_group[charity.pk] = group
            memberships += [
                User.groups.through(user_id=u, group_id=group.pk)
                for u in self.supervisors[charity.pk]
            ]
        self.liaison_group = {}
        for force in self.forces:
            group = Group.objects.create(name=liaison_group_name(force.pk))
            self.liaison_group[force.pk] = group
            memberships += [
                User.groups.through(user_id=u, group_id=group.pk) for u in self.liaisons[force.pk]
            ]
        User.groups.through.objects.bulk_create(memberships)
        return count

    def _user(self, username, organisation, role, password) -> dict:
        return {
            "id": uuid.uuid4(),
            "username": username,
            "password": password,
            "role": role,
            "organisation_id": organisation.pk,
            "first_name": "Load",
            "last_name": username[-6:],
            "email": f"{username}@example.org",
            "is_active": True,
            "is_staff": False,
            "is_superuser": False,
            "date_joined": self.now,
        }

    # --- clients, cases and everything on them -------------------------------------------

    def plan_cases(self) -> int:
        """Decides every case up front, so the writers below stream from one plan."""
        r, sizes = self.random, self.sizes
        self.cases = []
        numbers = {c.pk: 0 for c in self.charities}
        for n in range(sizes.cases):
            charity = self.charities[n % 2]
            numbers[charity.pk] += 1
            opened = self.now - timedelta(days=r.randint(1, 3 * 365), minutes=r.randint(0, 1440))
            closed = r.random() < 0.1
            team = self.staff[charity.pk]
            start = (n * 7) % len(team)
            self.cases.append(
                {
                    "id": uuid.uuid4(),
                    "client_id": uuid.uuid4(),
                    "charity": charity,
                    "number": numbers[charity.pk],
                    "opened_at": opened,
                    "closed": closed,
                    "assignees": [team[(start + k) % len(team)] for k in range(min(4, len(team)))],
                    "shared": r.random() < sizes.shared_fraction,
                    "anonymous": r.random() < 0.25,
                    "force": self.forces[n % len(self.forces)],
                    "long": n % sizes.long_timeline_every == 0,
                }
            )
        return len(self.cases)

    def clients(self) -> int:
        def rows() -> Iterator[dict]:
            for plan in self.cases:
                pseudonym = f"Client {plan['number']}"
                yield {
                    "id": plan["client_id"],
                    "organisation_id": plan["charity"].pk,
                    "pseudonym": pseudonym,
                    "pseudonym_hash": pseudonym_hash(pseudonym),
                    "legal_name": f"Legal Name {plan['number']}",
                    "date_of_birth": None,
                    "pronouns": "she/her",
                    "languages": ["English"],
                    "interpreter_needed": False,
                    "interpreter_language": "",
                    "work_settings": ["indoor"],
                    "vulnerability_flags": [],
                    "created_at": plan["opened_at"],
                    "updated_at": plan["opened_at"],
                    "created_by_id": plan["assignees"][0],
                }

        return Copier(Client).copy(rows())

    def contact_methods(self) -> int:
        self.methods = {}

        def rows() -> Iterator[dict]:
            for plan in self.cases:
                n = plan["number"] + (0 if plan["charity"] is self.charities[0] else 500_000)
                phone = f"+4477009{n % 100000:05d}"
                mobile = uuid.uuid4()
                self.methods[plan["id"]] = mobile
                verified = self.now - timedelta(days=self.random.randint(0, 60))
                base = {
                    "client_id": plan["client_id"],
                    "created_at": plan["opened_at"],
                    "updated_at": plan["opened_at"],
                    "created_by_id": plan["assignees"][0],
                    "safe_times": [],
                    "consecutive_failures": 0,
                    "retired_reason": "",
                    "safe_to_call": True,
                    "safe_to_voicemail": False,
                }
                yield {
                    **base,
                    "id": mobile,
                    "kind": "mobile",
                    "value": phone,
                    "value_hash": blind_index("phone", phone),
                    "safe_to_text": True,
                    "preferred": True,
                    "status": "verified",
                    "verified_at": verified,
                    "last_success_at": verified,
                }
                email = f"client{n}@example.org"
                yield {
                    **base,
                    "id": uuid.uuid4(),
                    "kind": "email",
                    "value": email,
                    "value_hash": blind_index("email", email),
                    "safe_to_text": True,
                    "preferred": False,
                    "status": "unverified",
                }
                old = f"+4477008{n % 100000:05d}"
                yield {
                    **base,
                    "id": uuid.uuid4(),
                    "kind": "mobile",
                    "value": old,
                    "value_hash": blind_index("phone", old),
                    "safe_to_text": False,
                    "preferred": False,
                    "status": "retired",
                    "retired_at": plan["opened_at"],
                    "retired_reason": "Changed number",
                }

        return Copier(ContactMethod).copy(rows())

    def cases_rows(self) -> int:
        def rows() -> Iterator[dict]:
            for plan in self.cases:
                closed = plan["closed"]
                yield {
                    "id": plan["id"],
                    "organisation_id": plan["charity"].pk,
                    "reference": (
                        f"{plan['charity'].code}-{plan['opened_at'].year}-{plan['number']:06d}"
                    ),
                    "client_id": plan["client_id"],
                    "referral_id": None,
                    "offence_types": [OFFENCES[plan["number"] % len(OFFENCES)]],
                    "incident_date": (plan["opened_at"] - timedelta(days=3)).date(),
                    "incident_area": f"Near {AREAS[plan['number'] % len(AREAS)]} (staff only)",
                    "area": AREAS[plan["number"] % len(AREAS)],
                    "risk_level": ["standard", "medium", "high"][plan["number"] % 3],
                    "support_status": "closed" if closed else "active",
                    "justice_stage": "reported" if plan["shared"] else "none",
                    "opened_at": plan["opened_at"],
                    "closed_at": plan["opened_at"] + timedelta(days=90) if closed else None,
                    "closure_reason": "support_completed" if closed else "",
                    "version": 3,
                    "created_at": plan["opened_at"],
                    "updated_at": plan["opened_at"],
                    "created_by_id": plan["assignees"][0],
                }

        count = Copier(Case).copy(rows())
        CaseReferenceCounter.objects.bulk_create(
            [
                CaseReferenceCounter(
                    organisation=c, year=self.now.year, last_number=self.sizes.cases
                )
                for c in self.charities
            ]
        )
        return count

    def assignments_and_permissions(self) -> int:
        content_type = ContentType.objects.get_for_model(Case)
        perms = list(
            Permission.objects.filter(
                content_type=content_type, codename__in=["view_case", "change_case"]
            )
        )

        def assignments() -> Iterator[dict]:
            for plan in self.cases:
                for k, user in enumerate(plan["assignees"]):
                    yield {
                        "case_id": plan["id"],
                        "user_id": user,
                        "role": "isva" if k == 3 else "caseworker",
                        "assigned_at": plan["opened_at"],
                        "assigned_by_id": None,
                    }

        def user_perms() -> Iterator[dict]:
            for plan in self.cases:
                for user in plan["assignees"]:
                    for perm in perms:
                        yield {
                            "user_id": user,
                            "permission_id": perm.pk,
                            "content_object_id": plan["id"],
                        }

        def group_perms() -> Iterator[dict]:
            for plan in self.cases:
                group = self.supervisors_group[plan["charity"].pk]
                for perm in perms:
                    yield {
                        "group_id": group.pk,
                        "permission_id": perm.pk,
                        "content_object_id": plan["id"],
                    }

        return (
            Copier(CaseAssignment).copy(assignments())
            + Copier(CaseUserObjectPermission).copy(user_perms())
            + Copier(CaseGroupObjectPermission).copy(group_perms())
        )

    def history(self) -> int:
        """Transitions, the contact log and notes: about ``contact_log`` entries in all, with a
        200-event timeline on every ``long_timeline_every``-th case."""
        sizes, r = self.sizes, self.random
        long_cases = sum(1 for p in self.cases if p["long"])
        per_long = sizes.long_timeline_events - 10
        remaining = max(0, sizes.contact_log - long_cases * per_long)
        per_case = remaining / max(1, len(self.cases) - long_cases)

        def transitions() -> Iterator[dict]:
            for plan in self.cases:
                steps = [("referred", "triage"), ("triage", "active")]
                if plan["closed"]:
                    steps.append(("active", "closed"))
                for k, (a, b) in enumerate(steps):
                    yield {
                        "id": uuid.uuid4(),
                        "case_id": plan["id"],
                        "lifecycle": "support",
                        "from_state": a,
                        "to_state": b,
                        "reason": "Generated.",
                        "closure_reason": "support_completed" if b == "closed" else "",
                        "occurred_at": plan["opened_at"] + timedelta(days=k),
                        "actor_id": plan["assignees"][0],
                    }

        def contacts() -> Iterator[dict]:
            carry = 0.0
            for plan in self.cases:
                if plan["long"]:
                    count = per_long
                else:
                    carry += per_case
                    count, carry = int(carry), carry - int(carry)
                for k in range(count):
                    at = plan["opened_at"] + timedelta(hours=6 * k + 1)
                    yield {
                        "id": uuid.uuid4(),
                        "case_id": plan["id"],
                        "contact_method_id": self.methods[plan["id"]],
                        "occurred_at": min(at, self.now),
                        "channel": "phone_call",
                        "direction": "outbound",
                        "outcome": OUTCOMES[k % len(OUTCOMES)],
                        "duration_minutes": 10 if k % 2 == 0 else None,
                        "note": "Generated contact note." if k % 10 == 0 else None,
                        "corrects_id": None,
                        "recorded_at": min(at, self.now),
                        "recorded_by_id": plan["assignees"][k % len(plan["assignees"])],
                        "updated_at": None,
                    }

        def notes() -> Iterator[dict]:
            for plan in self.cases:
                for k in range(8 if plan["long"] else 1):
                    yield {
                        "id": uuid.uuid4(),
                        "case_id": plan["id"],
                        "body": "Generated internal note.",
                        "visibility": "internal",
                        "created_at": plan["opened_at"] + timedelta(hours=3 + 12 * k),
                        "author_id": plan["assignees"][0],
                    }

        del r
        written = (
            Copier(CaseTransition).copy(transitions())
            + Copier(ContactLogEntry).copy(contacts())
            + Copier(Note).copy(notes())
        )
        # Copied rows bypass the contact log's service, which keeps each case's last reached.
        last_reached_refresh(Case.objects.all())
        return written

    def sharing(self) -> int:
        """Consent ledgers and the shares and permission rows derived from them. Half the
        anonymous shares follow an identified share the client withdrew from (its police update
        stays on it, its access is gone), as the consent services leave a change of level."""
        content_type = ContentType.objects.get_for_model(SharedCase)
        view = Permission.objects.get(content_type=content_type, codename="view_sharedcase")
        self._ledger, self._shares, self._perms, self._updates = [], [], [], []
        for plan in self.cases:
            if not plan["shared"]:
                continue
            at = plan["opened_at"] + timedelta(days=2)
            self._decide(plan, "store_records", at, force=False)
            if plan["anonymous"] and plan["number"] % 2 == 0:
                withdrawn = at + timedelta(days=1)
                self._decide(plan, "share_anonymous_intelligence", at + timedelta(minutes=1))
                self._decide(plan, "share_with_police", at + timedelta(minutes=2))
                self._decide(plan, "share_with_police", withdrawn, granted=False)
                self._share(plan, "identified", at + timedelta(minutes=2), ended_at=withdrawn)
                self._share(plan, "anonymous", withdrawn, view=view)
                continue
            scope = "share_anonymous_intelligence" if plan["anonymous"] else "share_with_police"
            self._decide(plan, scope, at + timedelta(minutes=1))
            level = "anonymous" if plan["anonymous"] else "identified"
            self._share(plan, level, at + timedelta(minutes=1), view=view)
        return (
            Copier(ConsentDecision).copy(self._ledger)
            + Copier(SharedCase).copy(self._shares)
            + Copier(SharedCaseGroupObjectPermission).copy(self._perms)
            + Copier(SharedUpdate).copy(self._updates)
        )

    def _decide(self, plan, scope, at, *, granted=True, force=True) -> None:
        self._ledger.append(
            {
                "public_id": uuid.uuid4(),
                "case_id": plan["id"],
                "scope": scope,
                "granted": granted,
                "police_force_id": plan["force"].pk if force else None,
                "method": "verbal",
                "recorded_by_id": plan["assignees"][0],
                "recorded_at": at,
            }
        )

    def _share(self, plan, level, started_at, *, ended_at=None, view=None) -> None:
        """One share; an active one gets the force's permission row, an identified one the
        update police posted on it five days in."""
        share_id = uuid.uuid4()
        self._shares.append(
            {
                "id": share_id,
                "case_id": plan["id"],
                "police_force_id": plan["force"].pk,
                "share_reference": f"SHR-{share_id.hex[:8].upper()}",
                "level": level,
                "contact_directly": False,
                "status": "ended" if ended_at else "active",
                "review_date": None,
                "started_at": started_at,
                "ended_at": ended_at,
                "updated_at": ended_at or started_at,
            }
        )
        if ended_at is None:
            self._perms.append(
                {
                    "group_id": self.liaison_group[plan["force"].pk].pk,
                    "permission_id": view.pk,
                    "content_object_id": share_id,
                }
            )
        if level == "identified":
            # While the share lasted: half-way through an ended one.
            posted = started_at + ((ended_at - started_at) / 2 if ended_at else timedelta(days=5))
            self._updates.append(
                {
                    "id": uuid.uuid4(),
                    "shared_case_id": share_id,
                    "kind": "investigation",
                    "body": "Generated police update.",
                    "from_police": True,
                    "author_id": self.liaisons[plan["force"].pk][0],
                    "note_id": None,
                    "created_at": posted,
                }
            )

    def run(self) -> Report:
        steps = [
            ("organisations", self.organisations),
            ("staff and groups", self.people),
            ("plan", self.plan_cases),
            ("clients (encrypted)", self.clients),
            ("contact methods (encrypted, hashed)", self.contact_methods),
            ("cases", self.cases_rows),
            ("assignments and object permissions", self.assignments_and_permissions),
            ("lifecycle, contact log and notes", self.history),
            ("consent ledgers and derived shares", self.sharing),
        ]
        with transaction.atomic():
            for label, step in steps:
                self.report.timed(label, step)
        from django.db import connection

        from casework.core.database_roles import as_owner

        start = time.perf_counter()
        # Only a table's owner may analyze it; the runtime role would skip every table.
        with as_owner(), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.report.timings.append(("analyze", time.perf_counter() - start, 0))
        return self.report
