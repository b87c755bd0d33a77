from django.core.management.base import BaseCommand
from django.db import transaction

from casework.cases.models import Case
from casework.sharing.derivation import sync_sharing
from casework.sharing.models import ConsentDecision, SharedCase


class Command(BaseCommand):
    help = (
        "Rebuild police sharing (shared cases and their permission rows) from the consent ledger, "
        "reporting every drift it repairs. Safe to run at any time; --dry-run repairs nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report drift, change nothing")

    def handle(self, *args, dry_run=False, **options):
        with_ledger = ConsentDecision.objects.values("case_id")
        with_shares = SharedCase.objects.values("case_id")
        case_ids = list(
            Case.objects.filter(pk__in=with_ledger)
            .union(Case.objects.filter(pk__in=with_shares))
            .values_list("pk", flat=True)
        )
        repaired = 0
        for case_id in sorted(case_ids):
            # One case per transaction, never inside another: a stop keeps every repair done.
            with transaction.atomic(durable=True):
                case = Case.objects.select_for_update(no_key=True).get(pk=case_id)
                changes = sync_sharing(case, actor="rebuild_sharing")
                for change in changes:
                    self.stdout.write(f"drift on case {case.reference}: {change}")
                repaired += bool(changes)
                if dry_run:
                    transaction.set_rollback(True)
        verb = "would repair" if dry_run else "repaired"
        self.stdout.write(f"Checked {len(case_ids)} case(s); {verb} {repaired}.")
