"""`manage.py demo_data [--if-empty] [--seed N] [--scale X]`: the demo gemeenten; see demo/builder.py."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.models import User
from demo import builder as demo
from demo.regie_history import regie_year
from demo.report_snapshots import write_report_snapshots
from regie import flags


class Command(BaseCommand):
    help = "Bouwt de demogemeenten Voorbeeldstad (9901, geijkt op Leidschendam-Voorburg 2024) en Proefdorp (9902)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Niets doen als Voorbeeldstad (9901) al bestaat.")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="Zelfde seed, zelfde demodata.")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Grootte van Voorbeeldstad ten opzichte van de echte cijfers (1 = ware grootte; kleiner voor tests).",
        )

    def handle(self, *args, if_empty, seed, scale, **options):
        if demo.demo_exists():
            if if_empty:
                self.stdout.write("De demodata staat er al (Voorbeeldstad, 9901); er is niets gewijzigd.")
                self.stdout.write(demo.format_logins())
                return
            raise CommandError(
                "Voorbeeldstad (9901) bestaat al. Gebruik --if-empty, of bouw de demo in een lege database."
            )
        usernames = [user[0] for user in demo.DEMO_USERS]
        taken = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        if taken:
            raise CommandError(f"Deze gebruikersnamen bestaan al: {', '.join(taken)}. Er is niets aangemaakt.")
        if not 0 < scale <= 1:
            raise CommandError("--scale moet groter dan 0 en hoogstens 1 zijn.")
        try:
            report = demo.build_demo(seed=seed, scale=scale)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(demo.format_report(report))
        result = flags.evaluate_everything()  # the regisseur's Top 32 is filled right away (issue 3)
        regie_year(timezone.localdate())  # past flags and Top N, an afschalen to a lighter product (issue 11)
        self.stdout.write(f"Signalering: {result.candidates} signalen.")
        # After the regie history: the stored months hold the figures the dashboard shows (issue 14).
        kept = write_report_snapshots(timezone.localdate())
        self.stdout.write(f"KPI-cijfers vastgelegd: {kept['months']} maanden; opnieuw berekend: {kept['corrected']}.")
