from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casework.loadtest.generate import PASSWORD, Generator, Sizes, refuse_real_data


class Command(BaseCommand):
    help = (
        "Fill an empty database with realistic volumes for benchmarks (default 100,000 cases, "
        "300,000 contact methods, 1,000,000 contact-log entries). Refuses a database holding "
        "data it did not generate, and does nothing if it already generated data here."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument(
            "--contact-log",
            type=int,
            default=None,
            help="contact-log entries (default ten per case)",
        )
        parser.add_argument("--staff", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, cases, contact_log, staff, seed, **options):
        sizes = Sizes(cases=cases, contact_log=contact_log or cases * 10, staff=staff)
        try:
            sizes.check()
            existing = refuse_real_data()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if existing:
            self.stdout.write(f"Already generated: {existing} cases here; nothing added.")
            return
        report = Generator(sizes, seed=seed).run()
        total = 0.0
        for label, seconds, rows in report.timings:
            total += seconds
            count = f"{rows:>10,} rows" if rows else " " * 15
            self.stdout.write(f"{label:<40} {count} {seconds:8.2f} s")
        self.stdout.write(f"{'total':<40} {' ' * 15} {total:8.2f} s")
        self.stdout.write(
            f"Staff sign in as ld.<org>.staff<N> / ld.<org>.super<N> with {PASSWORD!r}"
        )
