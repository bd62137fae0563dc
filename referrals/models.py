"""Verwijzingen: who sent a child towards care, and what came of it."""

from django.db import models
from simple_history.models import HistoricalRecords

from cases import formatting
from cases.codes import ReferrerType
from cases.models import Child
from cases.working_days import working_days_between


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
    history = HistoricalRecords(user_db_constraint=False)  # see cases Household.history

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
        indexes = [
            # Mijn werk's "verwijzingen zonder uitkomst" (werk/worklists.py, _referrals_without_outcome) probes
            # each of a worker's files (~500) for a referral without outcome: in this index only the referrals
            # still open, not every referral of the child with its row read to see its outcome (2,963 buffers).
            models.Index(fields=["child", "date"], condition=models.Q(outcome=""), name="referral_open_outcome"),
        ]

    def __str__(self):
        return f"Verwijzing {self.get_source_display()} {formatting.date(self.date)}"


ANSWER_WORKING_DAYS = 5  # iJw: the gemeente answers a verzoek om toewijzing (JW315) within 5 working days


class AllocationRequest(models.Model):
    """A provider's verzoek om toewijzing (iJw JW315) and the day the gemeente allocated (JW301).

    Written by the iJw import only (no user changes it, so no history): the KPI "doorlooptijd verzoek om
    toewijzing" reads `working_days`, counted once when the first allocation answers the request
    (cases.working_days.working_days_between), so the report counts in the database.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="allocation_requests")
    provider = models.ForeignKey("cases.Provider", on_delete=models.PROTECT, related_name="+")
    provider_reference = models.CharField("referentie aanbieder", max_length=36)
    requested_on = models.DateField("datum verzoek (JW315)")
    allocated_on = models.DateField("toegewezen op (JW301)", null=True, blank=True)
    working_days = models.PositiveSmallIntegerField("doorlooptijd (werkdagen)", null=True, blank=True)

    class Meta:
        verbose_name = "verzoek om toewijzing"
        verbose_name_plural = "verzoeken om toewijzing"
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_reference"], name="allocation_request_once"),
            models.CheckConstraint(
                condition=models.Q(allocated_on__isnull=True, working_days__isnull=True)
                | models.Q(allocated_on__gte=models.F("requested_on"), working_days__isnull=False),
                name="allocation_request_answered_after_request",
            ),
        ]

    def __str__(self):
        return f"Verzoek om toewijzing {self.provider_reference}"

    def answer(self, allocated_on) -> None:
        """Record the first allocation that answers this request (an allocation dated before the request
        answered it on the request's day: 0 working days)."""
        self.allocated_on = max(allocated_on, self.requested_on)
        self.working_days = working_days_between(self.requested_on, self.allocated_on)
