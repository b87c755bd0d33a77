from django.core.management.base import BaseCommand

from casework.privacy.retention import apply, preview


class Command(BaseCommand):
    help = (
        "Anonymise closed cases older than their organisation's retention period (default six "
        "years). --dry-run lists what would go and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, dry_run=False, batch_size=200, **options):
        due = preview()
        for item in due:
            self.stdout.write(
                f"{'would anonymise' if dry_run else 'anonymising'} {item.reference} "
                f"({item.organisation}), closed {item.closed_at:%Y-%m-%d}"
            )
        if dry_run:
            self.stdout.write(f"{len(due)} case(s) due; nothing changed (dry run).")
            return
        done = {"cases": 0, "clients": 0}
        while True:
            result = apply(batch_size=batch_size)
            done = {k: done[k] + result[k] for k in done}
            if result["cases"] < batch_size:
                break
        self.stdout.write(f"Anonymised {done['cases']} case(s) and {done['clients']} client(s).")
