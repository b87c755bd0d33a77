"""Hearings a force added before hearings carried their share: linked to the share of the case
with that force that had started by then, so they keep showing on it and on no later share."""

from django.db import migrations


def link_police_hearings(apps, schema_editor):
    CourtEvent = apps.get_model("court", "CourtEvent")
    SharedCase = apps.get_model("sharing", "SharedCase")
    unlinked = CourtEvent.objects.filter(
        added_by_police=True, shared_case__isnull=True, created_by__organisation__isnull=False
    ).values_list("pk", "case_id", "created_by__organisation_id", "created_at")
    for pk, case_id, force_id, created_at in unlinked.iterator():
        share = (
            SharedCase.objects.filter(
                case_id=case_id, police_force_id=force_id, started_at__lte=created_at
            )
            .order_by("-started_at")
            .values_list("pk", flat=True)
            .first()
        )
        if share is not None:
            CourtEvent.objects.filter(pk=pk).update(shared_case_id=share)


class Migration(migrations.Migration):
    dependencies = [
        ("court", "0002_court_event_shared_case"),
        ("sharing", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(link_police_hearings, migrations.RunPython.noop, elidable=True),
    ]
