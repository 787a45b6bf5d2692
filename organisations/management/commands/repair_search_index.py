from django.core.management.base import BaseCommand

from organisations.search import search_index_repair


class Command(BaseCommand):
    help = "Rebuild the search entries and facet bit sets of associations whose index is out of step."

    def handle(self, *args, **options):
        repaired = search_index_repair()
        self.stdout.write(f"{repaired}")
