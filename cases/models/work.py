"""The worker's own work on a file: tasks (taken up by Mijn werk) and the journal of what was agreed.

Tasks live here, at the bottom of the app layers, so every part of jeugdregie can add one through
`cases.services.task_create` (the regisseur's decisions, imports, the household's move) and the case
services can close them when the work is done.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .. import formatting
from .catalogue import Gemeente, Role
from .children import Child
from .trajectories import StopReview, Trajectory


class TaskKind(models.TextChoices):
    REVIEW = "review", "Stopstrategie-review uitvoeren"
    TRAJECTORY_END = "einde_traject", "Traject loopt af: verlengen of beëindigen"
    HANDOVER = "overdracht", "Overdracht aan andere gemeente"
    DECISION = "besluit", "Besluit van de regisseur uitvoeren"
    FOLLOW_UP = "vervolg", "Vervolgafspraak"
    CONTACT = "contact", "Contact met het gezin"
    OTHER = "anders", "Anders"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Gedaan"
    CANCELLED = "cancelled", "Vervallen"


class TaskOrigin(models.TextChoices):
    MANUAL = "handmatig", "Handmatig aangemaakt"
    CASE_FILE = "dossier", "Dossier"
    DECISION = "besluit", "Besluit regisseur"
    MOVE = "verhuizing", "Verhuizing"
    IMPORT = "import", "Import"


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TaskQuerySet":
        return self.filter(child__in=Child.objects.visible_to(user))

    def open(self) -> "TaskQuerySet":
        return self.filter(status=TaskStatus.OPEN)

    def for_user(self, user) -> "TaskQuerySet":
        """Tasks for this user: their own, and those for their role in a gemeente they serve."""
        return self.filter(
            Q(owner=user) | Q(owner__isnull=True, owner_role=user.role, gemeente__in=user.gemeenten.all())
        )


class Task(models.Model):
    """A piece of work on a child's file, for a user or for a role within the child's gemeente."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="tasks", verbose_name="jeugdige")
    # The child's gemeente, kept on the task so counts per gemeente and per role read one index.
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("soort", max_length=16, choices=TaskKind.choices)
    title = models.CharField("omschrijving", max_length=200)
    due_date = models.DateField("uiterlijk op")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
        verbose_name="voor medewerker",
    )
    owner_role = models.CharField("voor rol", max_length=20, choices=Role.choices, blank=True)
    status = models.CharField("status", max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    cancel_reason = models.CharField("reden vervallen", max_length=300, blank=True)
    origin = models.CharField("herkomst", max_length=12, choices=TaskOrigin.choices, default=TaskOrigin.MANUAL)
    # What the task is about, so doing that work closes it (recording the review closes its task).
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks", verbose_name="traject"
    )
    review = models.ForeignKey(
        StopReview, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks", verbose_name="review"
    )
    # Set by the app for tasks it creates itself ("overdracht:<child id>", "besluit:<id>"): at most one
    # open task per key, so a retried task or a double click makes no second one.
    key = models.CharField("sleutel", max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("aangemaakt op", auto_now_add=True)
    closed_at = models.DateTimeField("afgesloten op", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "taak"
        verbose_name_plural = "taken"
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(owner__isnull=False) | ~Q(owner_role=""), name="task_has_owner_or_role"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="task_cancelled_has_reason"
            ),
            models.UniqueConstraint(
                fields=["key"], condition=Q(status="open") & ~Q(key=""), name="task_one_open_per_key"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"], name="task_owner_open_due"),
            models.Index(fields=["gemeente", "status", "due_date"], name="task_gemeente_open_due"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} uiterlijk {formatting.date(self.due_date)}"

    @property
    def owner_label(self) -> str:
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.username
        return f"{self.get_owner_role_display()} {self.gemeente.name}"


class JournalKind(models.TextChoices):
    FAMILY = "gezin", "Contact met het gezin"
    MEETING = "overleg", "Overleg"
    AGREEMENT = "afspraak", "Afspraak"
    PHONE = "telefoon", "Telefoon"
    OTHER = "anders", "Anders"


class JournalEntry(models.Model):
    """Journaal: a dated note on the file. Never edited or deleted; a correction is a new note."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="journal", verbose_name="jeugdige")
    kind = models.CharField("soort", max_length=10, choices=JournalKind.choices)
    event_date = models.DateField("datum")
    text = models.TextField("notitie", max_length=4000)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="correctie op",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        verbose_name = "journaalnotitie"
        verbose_name_plural = "journaal"
        ordering = ["-event_date", "-created_at"]
        indexes = [models.Index(fields=["child", "-event_date"], name="journal_child_date")]

    def __str__(self):
        return f"{self.get_kind_display()} {formatting.date(self.event_date)}"
