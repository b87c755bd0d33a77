from django.core.management.base import BaseCommand, CommandError

from casework.audit.verification import chains, verify_chain


class Command(BaseCommand):
    help = (
        "Walk every organisation's audit chain and report the first broken link (a changed, "
        "removed or reordered event). Exits non-zero when one is found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chain", help="check only this chain (an organisation id)")

    def handle(self, *args, chain=None, **options):
        broken = []
        total = 0
        for name in [chain] if chain else chains():
            checked, link = verify_chain(name)
            total += checked
            if link:
                broken.append(link)
                self.stdout.write(
                    f"BROKEN chain {link.chain} at event {link.sequence} "
                    f"(row {link.event_id}): {link.problem}"
                )
            else:
                self.stdout.write(f"ok     chain {name}: {checked} events")
        if broken:
            raise CommandError(
                f"{len(broken)} broken chain(s); {total} events verified before the breaks."
            )
        self.stdout.write(f"All audit chains intact ({total} events).")
