import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from casework.cases.models import Case
from casework.clients.models import ContactMethod
from casework.loadtest.generate import PREFIX
from casework.reminders.facts import case_facts, scan_facts
from casework.reminders.models import Reminder
from casework.reminders.rules import RULES, _load
from casework.reminders.scan import apply_staged, set_scan_session, stage, wake_snoozed


class Command(BaseCommand):
    help = (
        "Time the reminder scan on generated data (see generate_load_data): one full scan, then "
        "a second one over the same state, rule by rule (finding: the rule's query and the "
        "temporary table of what it found; writing: the comparison with the reminders there). "
        "Prints the figures; changes only reminders."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=2)
        parser.add_argument(
            "--keep",
            action="store_true",
            help="keep the reminders of earlier runs (default: start empty)",
        )

    def handle(self, *args, runs=2, keep=False, **options):
        cases = Case.objects.filter(organisation__code__startswith=PREFIX)
        if not cases.exists():
            raise CommandError("No generated data here: run generate_load_data first.")
        active = cases.exclude(support_status="closed").count()
        methods = ContactMethod.objects.filter(
            client__organisation__code__startswith=PREFIX
        ).count()
        self.stdout.write(
            f"{cases.count():,} cases ({active:,} open), {methods:,} contact methods, "
            f"PostgreSQL {connection.pg_version // 10000}"
        )
        _load()
        from django.utils import timezone

        if not keep:
            deleted, _ = Reminder.objects.filter(organisation__code__startswith=PREFIX).delete()
            self.stdout.write(f"cleared {deleted:,} reminders of earlier runs")
        for run in range(1, runs + 1):
            now = timezone.now()
            self.stdout.write(f"run {run}:")
            start = time.perf_counter()
            with scan_facts():
                with case_facts():
                    total = time.perf_counter() - start
                self.stdout.write(f"  {'facts of the open cases':<24} built in {total:6.2f} s")
                for kind in RULES:
                    with transaction.atomic():
                        set_scan_session()
                        start = time.perf_counter()
                        staged = stage(kind, now)
                        found = time.perf_counter()
                        result = apply_staged(kind, staged, now)
                    done = time.perf_counter()
                    total += done - start
                    self.stdout.write(
                        f"  {kind:<24} found {result.found:>7,} in {found - start:6.2f} s, "
                        f"created {result.created:>7,} cancelled {result.cancelled:>5,} "
                        f"in {done - found:6.2f} s"
                    )
            start = time.perf_counter()
            wake_snoozed(now)
            total += time.perf_counter() - start
            self.stdout.write(f"  full scan: {total:.2f} s")
        self.stdout.write(f"reminders now: {Reminder.objects.count():,}")
