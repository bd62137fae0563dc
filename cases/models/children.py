"""The child's file itself: the household, the child, the inzagelog and the re-evaluation outbox.

Reads of case data start from `Child.objects.visible_to(user)` (or the matching queryset method on the
related model) so that one rule decides who sees which case.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from simple_history.models import HistoricalRecords

from .. import formatting
from ..validators import validate_bsn
from .catalogue import Gemeente


class ChildQuerySet(models.QuerySet):
    """Also the queryset of Household: both belong to a gemeente directly."""

    def visible_to(self, user) -> "ChildQuerySet":
        """The one visibility rule: a user sees only the children (households) of their own gemeenten."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(gemeente__in=user.gemeenten.all())


class AddressFields(models.Model):
    """A Dutch address and the gemeente it lies in: that gemeente decides who pays (woonplaatsbeginsel,
    cases/residence.py). The household's tells two households of the same name apart."""

    postcode = models.CharField("postcode", max_length=7, blank=True)
    house_number = models.CharField("huisnummer", max_length=12, blank=True)
    city = models.CharField("woonplaats", max_length=80, blank=True)
    residence_gemeente = models.ForeignKey(
        Gemeente,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="gemeente van het adres",
    )

    class Meta:
        abstract = True

    @property
    def address(self) -> str:
        street = " ".join(part for part in (self.postcode, self.house_number) if part)
        return ", ".join(part for part in (street, self.city) if part)


class Household(AddressFields):
    """Gezin / huishouden: siblings are seen together (1 gezin, 1 plan, 1 regisseur)."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="households")
    name = models.CharField("naam huishouden", max_length=120, help_text="Bijvoorbeeld 'Gezin De Vries'.")
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,  # a partial index (Meta.indexes)
        verbose_name="regisseur van het gezin",
        help_text="1 gezin, 1 plan, 1 regisseur: de toegangsmedewerker die het gezin leidt.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # History is read by record id (case file, admin, retention); an index on each copied foreign key would
    # only cost every written history row (issue 14: a CSV import writes 50,000 households).
    # No foreign-key constraint on history_user (migration 0030), here and on the child's, referral's and
    # trajectory's history, which an import writes by the 100,000: a check per history row at the import's
    # commit. Deleting a user through Django still sets it NULL (on_delete=SET_NULL is done by Django's
    # collector, tests/cases/test_history_user.py); only a raw SQL delete could leave a dangling id.
    history = HistoricalRecords(no_db_index=["gemeente", "lead_worker", "residence_gemeente"], user_db_constraint=False)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = "huishouden"
        verbose_name_plural = "huishoudens"
        indexes = [
            # Only households that have a lead worker: an imported household has none, and nothing asks for the
            # households without one. `lead_worker_id = x` and Django's PROTECT check on deleting a user use it.
            models.Index(fields=["lead_worker"], condition=Q(lead_worker__isnull=False), name="household_lead_worker"),
        ]

    def __str__(self):
        return self.name


class GuardianRelation(models.TextChoices):
    MOTHER = "moeder", "Moeder"
    FATHER = "vader", "Vader"
    PARENT = "ouder", "Ouder"
    FOSTER = "pleegouder", "Pleegouder"
    GUARDIAN = "voogd", "Voogd (gecertificeerde instelling)"
    OTHER = "anders", "Anders"


class Guardian(AddressFields):
    """A parent or other adult of the household, with or without gezag (parental authority).

    The address is the household's unless this person lives elsewhere (separated parents, a voogd).
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField("naam", max_length=120)
    relation = models.CharField("relatie", max_length=12, choices=GuardianRelation.choices)
    has_gezag = models.BooleanField("heeft gezag", default=True)
    lives_in_household = models.BooleanField("woont op het adres van het huishouden", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ouder of gezaghebbende"
        verbose_name_plural = "ouders en gezaghebbenden"
        ordering = ["-has_gezag", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_relation_display()})"


class Child(models.Model):
    """Jeugdige: the child whose case file (dossier) this is."""

    # No index of its own: every index of Meta.indexes starts with the gemeente and serves `gemeente_id = x`
    # as well (migration 0033; issue 14, fifth round).
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="children", db_index=False)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="children", verbose_name="huishouden"
    )
    first_name = models.CharField("voornaam", max_length=80)
    name_prefix = models.CharField("tussenvoegsel", max_length=20, blank=True)
    last_name = models.CharField("achternaam", max_length=120)
    birth_date = models.DateField("geboortedatum")
    # Stored only when known; validated with the elfproef; never shown in lists, URLs or logs.
    # NULL rather than "" when unknown, so the unique constraint applies only to known BSNs.
    bsn = models.CharField("BSN", max_length=9, null=True, blank=True, validators=[validate_bsn])  # noqa: DJ001
    external_reference = models.CharField(
        "referentie bronsysteem",
        max_length=40,
        blank=True,
        help_text="Het kenmerk in het systeem waaruit is geïmporteerd.",
    )
    # Casusregisseur: the toegangsmedewerker responsible for this file. NULL = not yet assigned
    # (an imported child), which the team's Mijn werk shows.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_children",
        null=True,
        blank=True,
        verbose_name="casusregisseur",
    )
    closed_on = models.DateField("dossier gesloten op", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The names upper-cased once, when written, for the name search (cases/search.py): it compares them
    # with five LIKEs for every child of the gemeente, and UPPER() under the database's C.UTF-8 collation
    # costs ~0.6 µs a call, most of the search's SQL time. Kept by the database; not in the history.
    first_name_upper = models.GeneratedField(
        expression=Upper("first_name"), output_field=models.CharField(max_length=80), db_persist=True
    )
    name_prefix_upper = models.GeneratedField(
        expression=Upper("name_prefix"), output_field=models.CharField(max_length=20), db_persist=True
    )
    last_name_upper = models.GeneratedField(
        expression=Upper("last_name"), output_field=models.CharField(max_length=120), db_persist=True
    )
    # Read by record id only, as the household's history.
    history = HistoricalRecords(
        excluded_fields=["first_name_upper", "name_prefix_upper", "last_name_upper"],
        no_db_index=["gemeente", "household", "owner"],
        user_db_constraint=False,  # see Household.history
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = "jeugdige"
        verbose_name_plural = "jeugdigen"
        ordering = ["last_name", "first_name"]
        # The team lead's right to hand many files to another casusregisseur at once (Mijn werk, team).
        permissions = [("reassign_children", "Dossiers in bulk overdragen")]
        constraints = [
            models.UniqueConstraint(fields=["bsn"], condition=Q(bsn__isnull=False), name="child_bsn_unique_when_known"),
        ]
        indexes = [
            # The name search filters every child of the gemeente on the upper-cased names (cases/search.py):
            # PostgreSQL can read them, and the names and ids it returns, from this index alone (an
            # index-only scan). A trigram (GIN) index does not serve that filter: the prefix and typo
            # conditions share their trigrams with most names.
            models.Index(
                fields=[
                    *("gemeente", "last_name_upper", "first_name_upper", "name_prefix_upper"),
                    *("last_name", "first_name", "id"),
                ],
                name="child_gemeente_search_names",
            ),
            # The search by birth date, the 18+ flag.
            models.Index(fields=["gemeente", "birth_date"], name="child_gemeente_birthdate"),
            models.Index(fields=["gemeente", "owner"], name="child_gemeente_owner"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.case_number})"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.name_prefix, self.last_name) if part)

    @property
    def case_number(self) -> str:
        """Dossiernummer: derived from the primary key, so it never needs to be kept in step."""
        return f"JR-{self.pk:06d}" if self.pk else ""

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def masked_bsn(self) -> str:
        return f"•••••{self.bsn[-4:]}" if self.bsn else ""

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class CaseAccessLog(models.Model):
    """Inzagelog (NEN 7513): who read which case files, when, from where, in which capacity, and the result.

    Written only through `cases.readlog` (one row per page view and gemeente: a list of 50 children is
    one row with their ids, written in one INSERT); refused attempts are rows too. Read-only in the
    admin; on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0012). Kept at least 5 years.
    """

    class Result(models.TextChoices):
        ALLOWED = "toegestaan", "Toegestaan"
        REFUSED = "geweigerd", "Geweigerd"

    at = models.DateTimeField("tijdstip", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The capacity the user acted in (NEN 7513 "namens wie"), as it was at the time of the read.
    role = models.CharField("rol", max_length=20, blank=True)
    # No database constraint: the log keeps the id, even if a file is ever removed (retention).
    child = models.ForeignKey(
        Child, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    # Every child shown, as ",12,345," so that "who saw file 12" is one LIKE on every database.
    child_ids = models.TextField("jeugdigen (ids)", blank=True, default="")
    # Kept as text too, so the log still says which file was read if the file is ever destroyed.
    case_number = models.CharField("dossiernummer", max_length=20, blank=True)
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField("handeling", max_length=60, default="inzage dossier")
    result = models.CharField("resultaat", max_length=12, choices=Result.choices, default=Result.ALLOWED)
    page = models.CharField("pagina", max_length=80, blank=True)
    object_ref = models.CharField("gevraagd object", max_length=80, blank=True)
    client_address = models.GenericIPAddressField("adres", null=True, blank=True)
    # A hash of the session key: ties the reads of one session together without storing a way into it.
    session = models.CharField("sessie", max_length=16, blank=True)

    class Meta:
        verbose_name = "inzage"
        verbose_name_plural = "inzagelog"
        ordering = ["-at"]
        indexes = [
            # The privacy officer's "which files did this employee see" over a period.
            models.Index(fields=["user", "at"], name="accesslog_user_at"),
        ]

    def __str__(self):
        return f"{formatting.date(self.at)} {self.user} {self.case_number or self.action}"

    @property
    def children_count(self) -> int:
        return len([part for part in self.child_ids.split(",") if part])


class FlagOutbox(models.Model):
    """Children whose re-evaluation could not be queued (broker down); the catch-up task drains it."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "uitgestelde signalering"
        verbose_name_plural = "uitgestelde signaleringen"

    def __str__(self):
        return f"Signalering uitgesteld voor jeugdige {self.child_id}"
