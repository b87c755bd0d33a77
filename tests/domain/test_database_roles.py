"""The application's database role: it owns nothing, reads and adds rows, and can neither change
nor remove an audit event or a consent decision, nor truncate, alter or disable the triggers of
any table, even with pgtrigger's ignore variable set (any session may set that). Anonymisation
still wipes consent notes, through the owner's narrow function; the owner's work (migrations,
key rotation) refuses to run as the application's role."""

from io import StringIO

import pgtrigger
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from casework.audit.models import AuditEvent
from casework.audit.services import audit_record
from casework.cases.services.referrals import referral_accept
from casework.core.database_roles import DatabaseRoleError, as_owner, grant_runtime_privileges
from casework.core.triggers import truncate_guards
from casework.privacy.anonymise import anonymise_case
from casework.sharing.models import ConsentDecision

from ..factories import ConsentDecisionFactory, OrganisationFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

# Each ledger table and its append-only trigger.
LEDGERS = {
    "audit_auditevent": "audit.AuditEvent:audit_append_only",
    "sharing_consentdecision": "sharing.ConsentDecision:consent_append_only",
}
CONSENT_GUARD = LEDGERS["sharing_consentdecision"]
NOTE = "Agreed with her sister present at the drop-in"


def query(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def refused(sql: str, params=None) -> str:
    """Runs a statement expecting the database to refuse it; returns the refusal."""
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        query(sql, params)
    return str(error.value)


def every_trigger_ignored() -> str:
    """pgtrigger's ignore variable naming every trigger there is, as a session would set it."""
    names = [
        name for (name,) in query("SELECT DISTINCT tgname FROM pg_trigger WHERE NOT tgisinternal")
    ]
    return "{" + ",".join(names) + "}"


@pytest.fixture
def case():
    charity = OrganisationFactory()
    staff = UserFactory(organisation=charity)
    referral = ReferralFactory(
        organisation=charity,
        actor=staff,
        source="outreach",
        summary="Met on outreach; robbed near the arches.",
        contact_kind="mobile",
        contact_value="07700 900333",
        offence_types=["robbery"],
    )
    case = referral_accept(referral=referral, accepted_by=staff, new_client={"pseudonym": "Wren"})
    ConsentDecisionFactory(case=case, recorded_by=staff, scope="store_records", note=NOTE)
    return case


@pytest.fixture
def ledger_rows(case):
    """One row in each ledger: the consent decision above and the audit events it left."""
    return {
        "audit_auditevent": AuditEvent.objects.filter(case_id=case.pk).first().pk,
        "sharing_consentdecision": ConsentDecision.objects.get(case=case).pk,
    }


def stored_note(decision_pk: int) -> str | None:
    """The note column as stored (ciphertext), not decrypted."""
    return query("SELECT note FROM sharing_consentdecision WHERE id = %s", [decision_pk])[0][0]


# --- who the application is ----------------------------------------------------------------


def test_the_application_runs_as_the_runtime_role_which_owns_nothing():
    role = settings.DATABASE_APP_ROLE
    assert query("SELECT current_user") == [(role,)]
    assert query(
        "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s", [role]
    ) == [(False, False, False)]
    owned = query(
        "SELECT relname FROM pg_class WHERE relowner = current_user::regrole "
        "AND relnamespace = current_schema()::regnamespace"
    )
    assert owned == []
    tables = query("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")[0][0]
    assert tables > 40


def test_the_runtime_role_cannot_disable_the_audit_triggers():
    assert "must be owner of table audit_auditevent" in refused(
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL"
    )
    assert "must be owner of table sharing_consentdecision" in refused(
        "ALTER TABLE sharing_consentdecision DISABLE TRIGGER USER"
    )


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE cases_case ADD COLUMN unnoticed text",
        "ALTER TABLE cases_note DISABLE TRIGGER ALL",
        "DROP TABLE cases_note",
        "CREATE TABLE casework_shadow (id integer)",
        "CREATE TRIGGER shadow BEFORE UPDATE ON cases_case FOR EACH ROW "
        "EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    ],
)
def test_the_runtime_role_cannot_alter_create_or_drop_tables(statement):
    refusal = refused(statement)
    assert "must be owner" in refusal or "permission denied" in refusal


@pytest.mark.parametrize("ignoring", [False, True], ids=["guarded", "ignore-variable-set"])
@pytest.mark.parametrize("table", LEDGERS)
@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET id = id WHERE id = %s", "DELETE FROM {table} WHERE id = %s"]
)
def test_the_runtime_role_cannot_change_or_remove_ledger_rows(
    ledger_rows, table, statement, ignoring
):
    if ignoring:
        query("SELECT set_config('pgtrigger.ignore', %s, false)", [every_trigger_ignored()])
    try:
        refusal = refused(statement.format(table=table), [ledger_rows[table]])
    finally:
        query("SELECT set_config('pgtrigger.ignore', '', false)")
    assert f"permission denied for table {table}" in refusal
    assert query(f"SELECT count(*) FROM {table} WHERE id = %s", [ledger_rows[table]]) == [(1,)]  # noqa: S608


@pytest.mark.parametrize("table", LEDGERS)
def test_pgtriggers_own_ignore_does_not_let_the_runtime_role_through(ledger_rows, table):
    with pgtrigger.ignore(LEDGERS[table]):
        refusal = refused(f"DELETE FROM {table} WHERE id = %s", [ledger_rows[table]])  # noqa: S608
    assert f"permission denied for table {table}" in refusal


@pytest.mark.parametrize("table", LEDGERS)
def test_the_same_ignore_variable_does_get_the_owner_past_the_trigger(ledger_rows, table):
    """The control for the tests above: the variable they set really opens the trigger, so it
    is the privileges that stop the runtime role."""
    with as_owner():
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
            query(f"DELETE FROM {table} WHERE id = %s", [ledger_rows[table]])  # noqa: S608
        query("SELECT set_config('pgtrigger.ignore', %s, false)", [every_trigger_ignored()])
        try:
            query(f"UPDATE {table} SET id = id WHERE id = %s", [ledger_rows[table]])  # noqa: S608
        finally:
            query("SELECT set_config('pgtrigger.ignore', '', false)")


@pytest.mark.parametrize("table", [*LEDGERS, "cases_note", "cases_case", "accounts_user"])
def test_the_runtime_role_can_truncate_nothing(table):
    query("SET CONSTRAINTS ALL IMMEDIATE")
    with pgtrigger.ignore(*truncate_guards()):
        assert f"permission denied for table {table}" in refused(f"TRUNCATE {table} CASCADE")


def test_no_table_grants_the_runtime_role_truncate_trigger_or_references():
    granted = query(
        "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
        "AND c.relkind = 'r' AND has_table_privilege(c.oid, 'TRUNCATE, TRIGGER, REFERENCES')"
    )
    assert granted == []


# --- what it may do ----------------------------------------------------------------------


def test_the_runtime_role_reads_and_adds_rows_of_every_table_and_uses_every_sequence():
    tables = query(
        "SELECT relname, has_table_privilege(oid, 'SELECT'), has_table_privilege(oid, 'INSERT') "
        "FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'"
    )
    assert len(tables) > 40
    assert [name for name, select, _ in tables if not select] == []
    assert [name for name, _, insert in tables if not insert] == ["django_migrations"]
    sequences = query(
        "SELECT relname, CASE WHEN relkind = 'S' THEN has_sequence_privilege(oid, 'USAGE') END "
        "FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'S'"
    )
    assert sequences
    assert [name for name, usage in sequences if not usage] == []
    assert "permission denied" in refused("DELETE FROM django_migrations")


def test_the_runtime_role_writes_audit_events_and_consent_decisions(case):
    before = AuditEvent.objects.count()
    audit_record(actor="test-suite", action="roles.check", organisation=case.organisation)
    assert AuditEvent.objects.count() == before + 1
    assert ConsentDecision.objects.filter(case=case).get().note == NOTE


# --- anonymisation through the owner's function ----------------------------------------------


def test_anonymising_a_case_as_the_runtime_role_wipes_its_consent_notes(case):
    decision = ConsentDecision.objects.get(case=case)
    assert stored_note(decision.pk) is not None
    assert query("SELECT current_user") == [(settings.DATABASE_APP_ROLE,)]

    with transaction.atomic():
        anonymise_case(case, actor="retention", reason="retention")

    assert stored_note(decision.pk) is None
    kept = ConsentDecision.objects.get(pk=decision.pk)
    assert (kept.scope, kept.granted, kept.method) == ("store_records", True, "verbal")


def test_the_wipe_function_changes_nothing_for_a_case_not_anonymised(case):
    decision = ConsentDecision.objects.get(case=case)
    before = stored_note(decision.pk)
    with pgtrigger.ignore(CONSENT_GUARD):
        wiped = query("SELECT privacy_wipe_consent_notes(%s)", [case.pk])
    assert wiped == [(0,)]
    assert stored_note(decision.pk) == before is not None


def test_the_wipe_function_runs_as_its_owner_with_a_pinned_path_for_the_runtime_role_only():
    function = "privacy_wipe_consent_notes(uuid)"
    (definer, config, owner) = query(
        "SELECT prosecdef, proconfig, pg_get_userbyid(proowner) FROM pg_proc "
        "WHERE oid = %s::regprocedure",
        [function],
    )[0]
    assert definer is True
    assert config == ["search_path=public, pg_temp"]
    assert owner != settings.DATABASE_APP_ROLE
    grantees = query(
        "SELECT a.grantee::regrole::text FROM pg_proc p, aclexplode(p.proacl) a "
        "WHERE p.oid = %s::regprocedure AND a.privilege_type = 'EXECUTE' "
        "AND a.grantee <> p.proowner",
        [function],
    )
    assert grantees == [(settings.DATABASE_APP_ROLE,)]  # and not PUBLIC (grantee 0, "-")


# --- grants follow the schema, and the owner's work refuses the runtime role -----------------


def test_migrate_grants_the_runtime_role_a_table_it_did_not_have(case):
    with as_owner():
        query("CREATE TABLE casework_later (id integer)")
    assert "permission denied" in refused("INSERT INTO casework_later VALUES (1)")

    call_command("migrate", verbosity=0)

    query("INSERT INTO casework_later VALUES (1)")
    assert query("SELECT id FROM casework_later") == [(1,)]


def test_setup_database_roles_restores_a_revoked_grant_and_keeps_the_ledgers_closed():
    with as_owner():
        query(f"REVOKE INSERT ON cases_note FROM {settings.DATABASE_APP_ROLE}")
        query(f"GRANT UPDATE ON audit_auditevent TO {settings.DATABASE_APP_ROLE}")
    assert query("SELECT has_table_privilege('cases_note', 'INSERT')") == [(False,)]
    out = StringIO()

    call_command("setup_database_roles", stdout=out)

    assert f"Found the runtime role {settings.DATABASE_APP_ROLE}" in out.getvalue()
    assert query("SELECT has_table_privilege('cases_note', 'INSERT')") == [(True,)]
    assert query("SELECT has_table_privilege('audit_auditevent', 'UPDATE')") == [(False,)]


def test_grants_refuse_a_runtime_role_that_could_act_as_the_owner():
    with as_owner():
        owner = query("SELECT current_user")[0][0]
        query(f'GRANT "{owner}" TO "{settings.DATABASE_APP_ROLE}"')
        with pytest.raises(DatabaseRoleError, match="could still change or empty"):
            grant_runtime_privileges(connection)


@pytest.fixture
def signed_in_as_the_runtime_role():
    """A connection that signs in as the runtime role itself, with no owner URL: as in
    production in every process but the migration step."""
    options = connection.settings_dict["OPTIONS"]
    role = options.pop("assume_role")
    try:
        yield
    finally:
        options["assume_role"] = role


def test_migrate_refuses_to_run_as_the_runtime_role(signed_in_as_the_runtime_role):
    with pytest.raises(CommandError, match="migrate must run as the database owner"):
        call_command("migrate", verbosity=0)


def test_key_rotation_says_how_to_run_it_when_it_cannot_change_the_consent_ledger(
    signed_in_as_the_runtime_role, case
):
    with pytest.raises(CommandError) as error:
        call_command("rotate_encryption_keys", stdout=StringIO())
    assert "sharing_consentdecision" in str(error.value)
    assert "DATABASE_OWNER_URL" in str(error.value)
