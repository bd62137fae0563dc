"""Verwijzingen: who sent a child towards care, and what came of it."""

from django.db import models
from simple_history.models import HistoricalRecords

from cases import formatting
from cases.codes import ReferrerType
from cases.models import Child


class RequestCategory(models.TextChoices):
    """Short hulpvraag category: enough to see patterns, no diagnosis (minimum data)."""

    PARENTING = "opvoeding", "Opvoeden en opgroeien"
    BEHAVIOUR = "gedrag", "Gedrag"
    MENTAL = "psychisch", "Psychische klachten"
    DEVELOPMENT = "ontwikkeling", "Ontwikkeling en beperking"
    SAFETY = "veiligheid", "Veiligheid en huiselijk geweld"
    SCHOOL = "school", "School en leren"
    FAMILY = "gezin", "Gezinsproblematiek"
    OTHER = "overig", "Overig"


class ReferralOutcome(models.TextChoices):
    SPECIALISED = "specialised", "Specialistische jeugdhulp"
    LIGHT_HELP = "light", "Lichte hulp in het voorliggend veld"
    NO_HELP = "none", "Geen hulp nodig"
    WLZ = "wlz", "Wlz"
    OTHER = "other", "Anders"


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReferralQuerySet":
        return self.filter(child__in=Child.objects.visible_to(user))


class Referral(models.Model):
    """Verwijzing, with its source (COD327; POH-Jeugd is its own choice that maps back to 02)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    date = models.DateField("verwijsdatum")
    source = models.CharField("verwijzer", max_length=3, choices=ReferrerType.choices)
    referrer_name = models.CharField("naam verwijzer", max_length=120, blank=True)
    referrer_agb = models.CharField("AGB-code verwijzer", max_length=8, blank=True)
    request_category = models.CharField("hulpvraag", max_length=20, choices=RequestCategory.choices)
    outcome = models.CharField("uitkomst", max_length=12, choices=ReferralOutcome.choices, blank=True)
    outcome_date = models.DateField("datum uitkomst", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = "verwijzing"
        verbose_name_plural = "verwijzingen"
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="", outcome_date__isnull=True)
                | (~models.Q(outcome="") & models.Q(outcome_date__isnull=False)),
                name="referral_outcome_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome_date__isnull=True) | models.Q(outcome_date__gte=models.F("date")),
                name="referral_outcome_after_referral",
            ),
        ]

    def __str__(self):
        return f"Verwijzing {self.get_source_display()} {formatting.date(self.date)}"
