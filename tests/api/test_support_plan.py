"""A case's support plan: needs, the safety plan and risk assessments. Every change adds a row, so
the current plan is the latest per need and per item, and the history keeps everything.

The clock is frozen on Wednesday 6 January 2027."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from casework.cases.models import Case
from casework.cases.services.cases import case_assign
from casework.support.models import NeedRecord, RiskAssessment, SafetyPlanItem, SafetyPlanRevision
from casework.support.services import need_record, risk_assess, safety_item_add

from ..conftest import client_for
from ..editing import UNREAD
from ..factories import CaseFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = datetime(2027, 1, 6, 10, tzinfo=LONDON)  # Wednesday 6 January 2027
DB_REFUSAL = (IntegrityError, InternalError, ProgrammingError)

RISK_NOTE = "Punter from the Armley flat has been seen outside the drop-in twice this week."


@pytest.fixture(autouse=True)
def clock():
    """Frozen before any other fixture signs anyone in, so their tokens are fresh."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(caseworker) -> Case:
    return CaseFactory(opened_by=caseworker, pseudonym="Wren", offence_types=["rape"])


def plan_url(case, tail: str = "") -> str:
    return f"/api/v1/cases/{case.pk}/support-plan/{tail}"


def plan(api, case) -> dict:
    response = api.get(plan_url(case))
    assert response.status_code == 200, response.json()
    return response.json()


def history(api, case) -> dict:
    response = api.get(plan_url(case, "history/"))
    assert response.status_code == 200, response.json()
    return response.json()


def add_need(api, case, need, status, **extra):
    return api.post(plan_url(case, "needs/"), {"need": need, "status": status, **extra})


def add_item(api, case, description, **extra):
    return api.post(plan_url(case, "safety-plan/"), {"description": description, **extra})


def revise(api, case, item_id, **changes):
    """Revises an item as a client would: with the ETag the plan showed for it."""
    plan = api.get(plan_url(case))
    tags = {
        str(item["id"]): item["etag"]
        for item in (plan.json() if plan.status_code == 200 else {}).get("safety_plan", [])
    }
    return api.patch(
        plan_url(case, f"safety-plan/{item_id}/"),
        changes,
        format="json",
        HTTP_IF_MATCH=tags.get(str(item_id), UNREAD),
    )


def assess(api, case, assessed_on: str, level: str, **extra):
    return api.post(
        plan_url(case, "risk-assessments/"),
        {"assessed_on": assessed_on, "level": level, **extra},
    )


def assert_refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) >= {"code", "message", "fields", "request_id"}
    assert body["code"] == "validation_error"
    assert field in body["fields"], body


# --- needs ------------------------------------------------------------------------------------


def test_the_plan_shows_the_latest_record_per_need_and_the_history_keeps_all(
    as_caseworker, caseworker, case
):
    assert add_need(as_caseworker, case, "housing", "identified").status_code == 201
    assert add_need(as_caseworker, case, "sexual_health", "identified").status_code == 201
    referred = add_need(
        as_caseworker,
        case,
        "housing",
        "referred",
        agency="St George's Crypt",
        note="Hostel place from Friday",
    )
    assert referred.status_code == 201, referred.json()
    assert add_need(as_caseworker, case, "sexual_health", "met").status_code == 201

    current = plan(as_caseworker, case)
    assert [(n["need"], n["status"], n["agency"]) for n in current["needs"]] == [
        ("housing", "referred", "St George's Crypt"),
        ("sexual_health", "met", ""),
    ]
    assert current["needs"][0]["note"] == "Hostel place from Friday"
    assert current["needs"][0]["recorded_by"] == caseworker.username

    kept = history(as_caseworker, case)["needs"]
    assert [(n["need"], n["status"]) for n in kept] == [
        ("sexual_health", "met"),
        ("housing", "referred"),
        ("sexual_health", "identified"),
        ("housing", "identified"),
    ]
    assert NeedRecord.objects.filter(case=case).count() == 4


def test_the_post_answers_with_the_plan_as_it_now_stands(as_caseworker, case):
    response = add_need(as_caseworker, case, "immigration", "identified")
    assert response.status_code == 201, response.json()
    assert set(response.json()) == {"needs", "safety_plan", "risk_assessments"}
    assert [n["need"] for n in response.json()["needs"]] == ["immigration"]


@pytest.mark.parametrize("agency", [None, ""], ids=["missing", "blank"])
def test_a_referral_needs_the_agency(as_caseworker, case, agency):
    extra = {} if agency is None else {"agency": agency}
    assert_refused(add_need(as_caseworker, case, "housing", "referred", **extra), "agency")
    assert not NeedRecord.objects.exists()


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("need", {"need": "pony", "status": "identified"}),
        ("status", {"need": "housing", "status": "sorted"}),
        ("recorded_by", {"need": "housing", "status": "identified", "recorded_by": "x"}),
    ],
)
def test_unknown_need_values_are_refused(as_caseworker, case, field, body):
    assert_refused(as_caseworker.post(plan_url(case, "needs/"), body), field)
    assert not NeedRecord.objects.exists()


# --- the safety plan --------------------------------------------------------------------------


def test_safety_plan_items_are_added_with_their_review_dates(as_caseworker, caseworker, case):
    first = add_item(as_caseworker, case, "Carry the charity's number", review_on="2027-02-01")
    assert first.status_code == 201, first.json()
    second = add_item(as_caseworker, case, "Work with a buddy on Fridays", review_on="2027-01-20")
    assert second.status_code == 201, second.json()
    third = add_item(as_caseworker, case, "Keep the phone charged")
    assert third.status_code == 201, third.json()

    items = plan(as_caseworker, case)["safety_plan"]
    # Soonest review first; no review date last.
    assert [(i["description"], i["review_on"], i["status"]) for i in items] == [
        ("Work with a buddy on Fridays", "2027-01-20", "active"),
        ("Carry the charity's number", "2027-02-01", "active"),
        ("Keep the phone charged", None, "active"),
    ]
    assert {i["recorded_by"] for i in items} == {caseworker.username}
    assert SafetyPlanItem.objects.filter(case=case).count() == 3


def test_revising_an_item_adds_a_revision_and_keeps_the_old_one(as_caseworker, case):
    added = add_item(as_caseworker, case, "Work with a buddy", review_on="2027-01-20")
    [item] = added.json()["safety_plan"]

    revised = revise(as_caseworker, case, item["id"], description="Work with a buddy, always")
    assert revised.status_code == 200, revised.json()
    [current] = revised.json()["safety_plan"]
    assert current["id"] == item["id"]
    assert (current["description"], current["review_on"]) == (
        "Work with a buddy, always",
        "2027-01-20",
    )

    done = revise(as_caseworker, case, item["id"], status="done")
    assert done.status_code == 200, done.json()
    assert [i["status"] for i in done.json()["safety_plan"]] == ["done"]

    kept = history(as_caseworker, case)["safety_plan"]
    assert [(r["id"], r["description"], r["status"]) for r in kept] == [
        (item["id"], "Work with a buddy, always", "done"),
        (item["id"], "Work with a buddy, always", "active"),
        (item["id"], "Work with a buddy", "active"),
    ]
    assert SafetyPlanRevision.objects.filter(item_id=item["id"]).count() == 3


def test_a_removed_item_leaves_the_plan_but_not_the_history_and_cannot_be_revised(
    as_caseworker, case
):
    keep = add_item(as_caseworker, case, "Carry the charity's number").json()["safety_plan"][0]
    gone = add_item(as_caseworker, case, "Avoid Kirkstall Road").json()["safety_plan"]
    [gone] = [i for i in gone if i["description"] == "Avoid Kirkstall Road"]

    removed = revise(as_caseworker, case, gone["id"], status="removed")
    assert removed.status_code == 200, removed.json()
    assert [i["id"] for i in removed.json()["safety_plan"]] == [keep["id"]]
    assert [i["id"] for i in plan(as_caseworker, case)["safety_plan"]] == [keep["id"]]
    kept = history(as_caseworker, case)["safety_plan"]
    assert [(r["description"], r["status"]) for r in kept if r["id"] == gone["id"]] == [
        ("Avoid Kirkstall Road", "removed"),
        ("Avoid Kirkstall Road", "active"),
    ]

    # The plan no longer shows the item, so no client holds its current ETag; even one that
    # did is refused, on the item's state.
    current = f'"{gone["id"]}-{SafetyPlanItem.objects.get(pk=gone["id"]).version}"'
    for changes in ({"description": "Avoid Kirkstall Road at night"}, {"status": "active"}):
        assert revise(as_caseworker, case, gone["id"], **changes).status_code == 412
        url = plan_url(case, f"safety-plan/{gone['id']}/")
        assert_refused(as_caseworker.patch(url, changes, HTTP_IF_MATCH=current), "status")
    assert SafetyPlanRevision.objects.filter(item_id=gone["id"]).count() == 2
    assert [i["id"] for i in plan(as_caseworker, case)["safety_plan"]] == [keep["id"]]


def test_a_review_date_in_the_past_is_refused(as_caseworker, case):
    assert_refused(add_item(as_caseworker, case, "Buddy", review_on="2027-01-05"), "review_on")
    assert not SafetyPlanItem.objects.exists()

    item = add_item(as_caseworker, case, "Buddy", review_on="2027-01-06").json()["safety_plan"][0]
    assert_refused(revise(as_caseworker, case, item["id"], review_on="2027-01-05"), "review_on")
    assert SafetyPlanRevision.objects.filter(item_id=item["id"]).count() == 1
    assert plan(as_caseworker, case)["safety_plan"][0]["review_on"] == "2027-01-06"


def test_an_item_of_another_case_cannot_be_revised_through_this_one(
    as_caseworker, caseworker, case
):
    other = CaseFactory(opened_by=caseworker, pseudonym="Finch")
    revision = safety_item_add(case=other, actor=caseworker, description="Other case's item")
    response = revise(as_caseworker, case, revision.item_id, description="Hijacked")
    assert response.status_code == 404
    assert revise(as_caseworker, case, "not-a-uuid", description="x").status_code == 404
    assert SafetyPlanRevision.objects.filter(item=revision.item).count() == 1


# --- risk assessments -------------------------------------------------------------------------


def test_assessments_are_newest_first_and_the_newest_sets_the_cases_risk(
    as_caseworker, caseworker, case
):
    first = assess(as_caseworker, case, "2026-12-01", "medium")
    assert first.status_code == 201, first.json()
    case.refresh_from_db()
    assert case.risk_level == "medium"

    newer = assess(as_caseworker, case, "2027-01-05", "high", notes=RISK_NOTE)
    assert newer.status_code == 201, newer.json()
    case.refresh_from_db()
    assert case.risk_level == "high"

    # Written up today, but dated before the newest: it does not set the case's risk.
    older = assess(as_caseworker, case, "2026-12-15", "standard")
    assert older.status_code == 201, older.json()
    case.refresh_from_db()
    assert case.risk_level == "high"
    shown = as_caseworker.get(f"/api/v1/cases/{case.pk}/").json()
    assert shown["risk_level"] == "high"

    assessments = plan(as_caseworker, case)["risk_assessments"]
    assert [(a["assessed_on"], a["level"]) for a in assessments] == [
        ("2027-01-05", "high"),
        ("2026-12-15", "standard"),
        ("2026-12-01", "medium"),
    ]
    assert assessments[0]["notes"] == RISK_NOTE
    assert assessments[0]["assessor"] == caseworker.username


def test_an_assessment_dated_in_the_future_is_refused(as_caseworker, case):
    assert_refused(assess(as_caseworker, case, "2027-01-07", "high"), "assessed_on")
    case.refresh_from_db()
    assert case.risk_level == "standard"
    assert not RiskAssessment.objects.exists()


def test_an_assessment_dated_today_is_accepted(as_caseworker, case):
    assert assess(as_caseworker, case, "2027-01-06", "high").status_code == 201


@pytest.mark.parametrize("level", ["extreme", "critical", "", "HIGH"])
def test_a_risk_level_outside_the_scale_is_refused(as_caseworker, case, level):
    assert_refused(assess(as_caseworker, case, "2027-01-06", level), "level")
    case.refresh_from_db()
    assert case.risk_level == "standard"
    assert not RiskAssessment.objects.exists()


def test_assessment_notes_are_encrypted_at_rest(as_caseworker, case):
    assert assess(as_caseworker, case, "2027-01-05", "high", notes=RISK_NOTE).status_code == 201
    assessment = RiskAssessment.objects.get(case=case)
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM support_riskassessment WHERE id = %s", [assessment.pk])
        [raw] = cursor.fetchone()
    assert raw.startswith("enc1:") and raw != RISK_NOTE
    assert "Armley" not in raw and "drop-in" not in raw
    assert assessment.notes == RISK_NOTE


def test_need_notes_and_safety_items_are_encrypted_at_rest(caseworker, case):
    record = need_record(
        case=case, actor=caseworker, need="housing", status="identified", note="Sofa in Armley"
    )
    revision = safety_item_add(case=case, actor=caseworker, description="Avoid Kirkstall Road")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM support_needrecord WHERE id = %s", [record.pk])
        [note] = cursor.fetchone()
        cursor.execute(
            "SELECT description FROM support_safetyplanrevision WHERE id = %s", [revision.pk]
        )
        [description] = cursor.fetchone()
    assert note.startswith("enc1:") and "Armley" not in note
    assert description.startswith("enc1:") and "Kirkstall" not in description


# --- who may see and change the plan ----------------------------------------------------------


def _every_route(api, case) -> list:
    item = SafetyPlanItem.objects.filter(case=case).first()
    return [
        api.get(plan_url(case)),
        api.get(plan_url(case, "history/")),
        add_need(api, case, "housing", "identified"),
        add_item(api, case, "Should not be saved"),
        revise(api, case, item.pk, description="Should not be saved"),
        assess(api, case, "2027-01-06", "high"),
    ]


@pytest.fixture
def started_plan(caseworker, case) -> Case:
    safety_item_add(case=case, actor=caseworker, description="Carry the charity's number")
    return case


def _unchanged(case) -> None:
    assert NeedRecord.objects.filter(case=case).count() == 0
    assert SafetyPlanRevision.objects.filter(item__case=case).count() == 1
    assert RiskAssessment.objects.filter(case=case).count() == 0
    case.refresh_from_db()
    assert case.risk_level == "standard"


def test_an_unassigned_caseworker_of_the_same_charity_gets_404(charity, started_plan):
    colleague = client_for(UserFactory(organisation=charity))
    assert [r.status_code for r in _every_route(colleague, started_plan)] == [404] * 6
    _unchanged(started_plan)


def test_another_charitys_supervisor_gets_404(other_charity, started_plan):
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    assert [r.status_code for r in _every_route(theirs, started_plan)] == [404] * 6
    _unchanged(started_plan)


def test_police_are_forbidden_the_support_plan(as_police, started_plan):
    assert [r.status_code for r in _every_route(as_police, started_plan)] == [403] * 6
    _unchanged(started_plan)


def test_the_charitys_supervisor_and_an_assigned_isva_may_use_the_plan(
    as_supervisor, supervisor, isva, started_plan
):
    assert add_need(as_supervisor, started_plan, "legal", "identified").status_code == 201
    assert as_supervisor.get(plan_url(started_plan)).status_code == 200
    as_isva = client_for(isva)
    assert as_isva.get(plan_url(started_plan)).status_code == 404
    case_assign(case=started_plan, user=isva, assigned_by=supervisor)
    assert as_isva.get(plan_url(started_plan)).status_code == 200


# --- the database keeps the history -----------------------------------------------------------


@pytest.fixture
def rows(caseworker, case):
    need = need_record(case=case, actor=caseworker, need="housing", status="identified")
    assessment = risk_assess(
        case=case, actor=caseworker, assessed_on=TODAY.date() - timedelta(days=1), level="high"
    )
    revision = safety_item_add(case=case, actor=caseworker, description="Buddy")
    return {"need": need, "assessment": assessment, "revision": revision}


def test_the_database_refuses_to_update_a_need_record(rows):
    need = rows["need"]
    with pytest.raises(DB_REFUSAL, match="Cannot update or delete"), transaction.atomic():
        NeedRecord.objects.filter(pk=need.pk).update(status="met")
    need.refresh_from_db()
    assert need.status == "identified"


def test_the_database_refuses_to_delete_a_need_record(rows):
    need = rows["need"]
    with pytest.raises(DB_REFUSAL, match="Cannot update or delete"), transaction.atomic():
        NeedRecord.objects.filter(pk=need.pk).delete()
    assert NeedRecord.objects.filter(pk=need.pk).exists()


def test_the_database_refuses_to_update_a_risk_assessment(rows):
    assessment = rows["assessment"]
    with pytest.raises(DB_REFUSAL, match="Cannot update or delete"), transaction.atomic():
        RiskAssessment.objects.filter(pk=assessment.pk).update(level="standard")
    assessment.refresh_from_db()
    assert assessment.level == "high"


def test_the_database_refuses_to_delete_a_risk_assessment(rows):
    assessment = rows["assessment"]
    with pytest.raises(DB_REFUSAL, match="Cannot update or delete"), transaction.atomic():
        RiskAssessment.objects.filter(pk=assessment.pk).delete()
    assert RiskAssessment.objects.filter(pk=assessment.pk).exists()


def test_the_database_refuses_raw_sql_changes_to_need_records_and_assessments(rows):
    statements = [
        ("UPDATE support_needrecord SET status = 'met' WHERE id = %s", rows["need"].pk),
        ("DELETE FROM support_needrecord WHERE id = %s", rows["need"].pk),
        (
            "UPDATE support_riskassessment SET level = 'standard' WHERE id = %s",
            rows["assessment"].pk,
        ),
        ("DELETE FROM support_riskassessment WHERE id = %s", rows["assessment"].pk),
    ]
    for sql, pk in statements:
        with pytest.raises(DB_REFUSAL), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    assert NeedRecord.objects.get(pk=rows["need"].pk).status == "identified"
    assert RiskAssessment.objects.get(pk=rows["assessment"].pk).level == "high"


def test_the_database_refuses_to_rewrite_a_safety_plan_revision(rows):
    revision = rows["revision"]
    with pytest.raises(DB_REFUSAL, match="Cannot update or delete"), transaction.atomic():
        SafetyPlanRevision.objects.filter(pk=revision.pk).update(status="removed")
    with pytest.raises(DB_REFUSAL, match="Cannot update or delete"), transaction.atomic():
        SafetyPlanRevision.objects.filter(pk=revision.pk).delete()
    revision.refresh_from_db()
    assert revision.status == "active"
