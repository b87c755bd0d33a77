"""SQL written out by hand must stay in step with the models it restates."""

from casework.accounts.choices import ROLES_BY_KIND
from casework.accounts.models import ROLE_FITS_KIND_SQL
from casework.cases.models import CaseReferenceCounter
from casework.cases.services.references import UPSERT


def test_the_role_trigger_names_exactly_the_roles_of_each_kind():
    for kind, roles in ROLES_BY_KIND.items():
        listed = ", ".join(f"'{role}'" for role in sorted(roles))
        assert f"o.kind = '{kind}' AND NEW.role IN ({listed})" in ROLE_FITS_KIND_SQL, kind


def test_the_reference_upsert_writes_the_counter_models_table():
    assert CaseReferenceCounter._meta.db_table == "cases_casereferencecounter"
    assert "INSERT INTO cases_casereferencecounter" in UPSERT
