"""Report what the site says without a source to show for it."""

from django.core.management.base import BaseCommand, CommandError

from timeline import sourcing


class Command(BaseCommand):
    help = (
        "Check the sourcing: public items without a citation, citations without a "
        "locator, quotations their source's text does not contain, [^key] markers "
        "naming no citation of their item (errors); sources cited nowhere, documents "
        "known through an uncited source, quotations that cannot be checked "
        "(warnings). Prints one line per problem with the admin page that fixes it; "
        "exits 1 when there is any error."
    )

    def handle(self, *args, **options):
        report = sourcing.check()
        for problem in report.problems:
            style = self.style.ERROR if problem.level == sourcing.ERROR else self.style.WARNING
            self.stdout.write(style(str(problem)))
        if report.errors:
            raise CommandError(report.summary, returncode=1)
        self.stdout.write(report.summary)
