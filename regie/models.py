"""Signalering and regie (issue 3): flag rules per gemeente, computed flags, decisions, the Top-N setting.

Flags are computed data (regie/evaluation.py rewrites them in bulk) and therefore not history-tracked;
the rules, the settings and the regisseur's decisions are human input and keep their history. A flag's
states and the events that move it between them are in FlagState and Flag.TRANSITIONS.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cases.codes import EndReason
from cases.models import Child

from .codes import FlagCode, WlzStep
from .flag_text import flag_key_number, flag_sentence

# code: (default threshold, default weight, what the threshold means). Defaults from DOMAIN.md §6.
DEFAULT_RULES: dict[str, tuple[Decimal, int, str]] = {
    FlagCode.DURATION: (Decimal("0"), 10, "maanden boven de normduur van het product"),
    FlagCode.COST: (Decimal("50000"), 25, "euro kosten van de lopende zorg (tot nu plus verplicht)"),
    FlagCode.EXTENSIONS: (Decimal("2"), 10, "keer verlengd (of vaker)"),
    FlagCode.STACKING: (Decimal("3"), 10, "lopende trajecten tegelijk voor één kind (of meer)"),
    FlagCode.HOUSEHOLD_STACKING: (Decimal("4"), 5, "lopende trajecten tegelijk in één gezin (of meer)"),
    FlagCode.WAITING: (Decimal("8"), 5, "weken wachten zonder start van zorg (meer dan)"),
    FlagCode.PAST_END: (Decimal("0"), 8, "dagen na de geplande einddatum (meer dan)"),
    FlagCode.REVIEW_LATE: (Decimal("0"), 5, "dagen na de uiterlijke reviewdatum (meer dan)"),
    FlagCode.TURNING_18: (Decimal("6"), 5, "maanden vóór de 18e verjaardag"),
    FlagCode.OUTSIDE_BUDGET: (Decimal("0"), 10, "geen drempel: elke lopende buiten-budgettaire inzet"),
    FlagCode.RESIDENTIAL: (Decimal("0"), 15, "geen drempel: elk lopend verblijf"),
    FlagCode.VOLUME: (Decimal("0"), 10, "procent boven het normvolume van het product (meer dan)"),
    FlagCode.WLZ_STALLED: (Decimal("8"), 5, "weken zonder nieuwe stap in een lopende Wlz-route (meer dan)"),
}
MANUAL_WEIGHT = 20
# Points per active flag where a gemeente has no rule of its own (a manual flag always weighs MANUAL_WEIGHT).
DEFAULT_WEIGHTS: dict[str, int] = {code: weight for code, (_, weight, _) in DEFAULT_RULES.items()} | {
    FlagCode.MANUAL: MANUAL_WEIGHT
}


class FlagRule(models.Model):
    """One signal rule for one gemeente: on/off, its threshold and its weight in the score."""

    gemeente = models.ForeignKey("cases.Gemeente", on_delete=models.CASCADE, related_name="flag_rules")
    code = models.CharField("signaal", max_length=20, choices=[c for c in FlagCode.choices if c[0] != FlagCode.MANUAL])
    enabled = models.BooleanField("actief", default=True)
    threshold = models.DecimalField(
        "drempel", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    weight = models.PositiveSmallIntegerField(
        "gewicht in de score", validators=[MaxValueValidator(1000)], help_text="Punten per actief signaal."
    )
    history = HistoricalRecords(table_name="cases_historicalflagrule")

    class Meta:
        db_table = "cases_flagrule"
        verbose_name = "signaalregel"
        verbose_name_plural = "signaalregels"
        ordering = ["gemeente", "code"]
        constraints = [models.UniqueConstraint(fields=["gemeente", "code"], name="flag_rule_once_per_gemeente")]

    def __str__(self):
        return f"{self.get_code_display()} ({self.gemeente.name})"

    @property
    def threshold_meaning(self) -> str:
        return DEFAULT_RULES[self.code][2]


class RegieSettings(models.Model):
    """Per gemeente: how many cases form the regisseur's queue, and what counts as a cost jump."""

    gemeente = models.OneToOneField("cases.Gemeente", on_delete=models.CASCADE, related_name="regie_settings")
    top_n = models.PositiveSmallIntegerField(
        "aantal casussen in de Top", default=32, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    cost_jump_percent = models.PositiveSmallIntegerField(
        "kostensprong (%)",
        default=10,
        help_text="Een casus met een besluit komt vóór de vervolgdatum terug als de kosten zoveel procent stijgen.",
    )
    history = HistoricalRecords(table_name="cases_historicalregiesettings")

    class Meta:
        db_table = "cases_regiesettings"
        verbose_name = "regie-instelling"
        verbose_name_plural = "regie-instellingen"

    def __str__(self):
        return f"Regie {self.gemeente.name}: Top {self.top_n}"


class FlagQuerySet(models.QuerySet):
    def visible_to(self, user) -> "FlagQuerySet":
        return self.filter(child__in=Child.objects.visible_to(user))


class FlagState(models.TextChoices):
    """Where a flag is in its life. Stored as the two columns the set-based evaluation reads and writes
    in bulk: `firing` (the rule holds, or a person raised it) and `active` (it asks for attention)."""

    ACTIVE = "active", "actief"
    RESOLVED = "resolved", "afgehandeld"  # by the regisseur, while the rule may still hold
    LAPSED = "lapsed", "vervallen"  # the rule no longer holds

    @property
    def firing(self) -> bool:
        return self is not FlagState.LAPSED

    @property
    def active(self) -> bool:
        return self is FlagState.ACTIVE

    @classmethod
    def of(cls, *, firing: bool, active: bool) -> "FlagState":
        if active and not firing:
            raise ValueError("An active flag fires.")
        return cls.ACTIVE if active else cls.RESOLVED if firing else cls.LAPSED


class FlagEvent(models.TextChoices):
    RAISE = "raise", "signaleren"  # the engine finds a new candidate, or the regisseur raises one by hand
    REFRESH = "refresh", "bijwerken"  # the engine: the rule still holds, its numbers may have changed
    LAPSE = "lapse", "laten vervallen"  # the engine: the rule no longer holds
    RESOLVE = "resolve", "afhandelen"  # the regisseur, with a note
    RAISE_ANEW = "raise_anew", "opnieuw signaleren"  # the engine: the rule of a lapsed flag holds again


def _user_column():
    """Who raised or resolved a flag by hand. No database constraint: see the comment in Flag."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


class Flag(models.Model):
    """A signal on a child's case. Computed flags are kept by (child, code, subject) so a re-run updates
    the same row: `firing` says the rule holds now, `active` says it still asks for attention.

    subject_key is the trajectory, referral, review or household the flag is about (0 for the child
    as a whole; a negative unique number for a manual flag).

    The states and the events allowed in each are in TRANSITIONS: the regisseur's services
    (regie/services.py) check them under a row lock, the evaluation's SQL (regie/evaluation.py) writes
    the same states in bulk. The engine never reopens a flag a person resolved while its rule still
    holds, only one that lapsed and fires again; a manual flag has no rule and never lapses.
    """

    TRANSITIONS: dict[FlagState | None, dict[FlagEvent, FlagState]] = {
        None: {FlagEvent.RAISE: FlagState.ACTIVE},
        FlagState.ACTIVE: {
            FlagEvent.REFRESH: FlagState.ACTIVE,
            FlagEvent.RESOLVE: FlagState.RESOLVED,
            FlagEvent.LAPSE: FlagState.LAPSED,
        },
        FlagState.RESOLVED: {FlagEvent.REFRESH: FlagState.RESOLVED, FlagEvent.LAPSE: FlagState.LAPSED},
        FlagState.LAPSED: {FlagEvent.RAISE_ANEW: FlagState.ACTIVE},
    }
    NEVER_LAPSES = (FlagCode.MANUAL,)
    # What the regisseur reads when the flag's state does not allow what was asked.
    # (Resolving is refused only when the flag is no longer active: resolved or lapsed.)
    REFUSED = {FlagEvent.RESOLVE: "Dit signaal is al afgehandeld."}

    # No database FK constraints: the evaluation writes the computed columns from rows it just read under
    # its lock, and on PostgreSQL an FK check locks the referenced row (FOR KEY SHARE), which at national
    # scale rewrote a million trajectory and child rows on every run. The user columns are set only by
    # the regisseur's services (request.user), yet their checks were queued for every computed flag too:
    # 1.35 million trigger events on a national first run. Django still cascades and protects.
    # Nor single-column indexes: the unique key and the partial indexes below serve every query, and each
    # extra index is a write per flag.
    gemeente = models.ForeignKey(
        "cases.Gemeente", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    child = models.ForeignKey(
        "cases.Child", on_delete=models.CASCADE, related_name="flags", db_constraint=False, db_index=False
    )
    code = models.CharField("signaal", max_length=20, choices=FlagCode.choices)
    subject_key = models.BigIntegerField(default=0)
    trajectory = models.ForeignKey(
        "cases.Trajectory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    value = models.DecimalField("waarde", max_digits=14, decimal_places=2, null=True, blank=True)
    norm = models.DecimalField("norm", max_digits=14, decimal_places=2, null=True, blank=True)
    reference_date = models.DateField("datum", null=True, blank=True)
    detail = models.CharField("detail", max_length=300, blank=True)
    # The day the rule's condition became true (the norm passed, the threshold crossed), from the rule's SQL.
    since = models.DateField("geldt sinds", null=True, blank=True)
    firing = models.BooleanField("regel geldt", default=True)
    active = models.BooleanField("actief", default=True)
    raised_at = models.DateTimeField("gesignaleerd op")
    raised_by = _user_column()
    reason = models.CharField("reden (handmatig signaal)", max_length=500, blank=True)
    resolved_at = models.DateTimeField("afgehandeld op", null=True, blank=True)
    resolved_by = _user_column()
    resolution_note = models.CharField("toelichting afhandeling", max_length=500, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        db_table = "cases_flag"
        verbose_name = "signaal"
        verbose_name_plural = "signalen"
        ordering = ["child", "code"]
        constraints = [
            # The upsert in regie/evaluation.py conflicts on exactly these columns.
            models.UniqueConstraint(fields=["child", "code", "subject_key"], name="flag_once_per_subject"),
            models.CheckConstraint(condition=~Q(code="handmatig") | ~Q(reason=""), name="flag_manual_has_reason"),
        ]
        indexes = [
            # A gemeente's flags: the lapse step of an evaluation of some gemeenten, the KPI counts. One
            # plain index: the two partial ones it replaced (active, firing) doubled the cost of writing a
            # national first run (inserting 676,069 flags: 6.2 -> ~4 s) and the queue now reads ChildScore.
            models.Index(fields=["gemeente"], name="flag_by_gemeente"),
        ]

    def __str__(self):
        return f"{self.get_code_display()}: {self.sentence}"

    @property
    def state(self) -> FlagState:
        return FlagState.of(firing=self.firing, active=self.active)

    def after(self, event: FlagEvent) -> FlagState:
        """The state `event` leads to from this flag's state; a ValidationError if it is not allowed."""
        state = self.state
        allowed = self.TRANSITIONS[state]
        if event not in allowed or (event == FlagEvent.LAPSE and self.code in self.NEVER_LAPSES):
            message = self.REFUSED.get(event, f"Een {state.label} signaal {event.label} kan niet.")
            raise ValidationError({"__all__": message})
        return allowed[event]

    @property
    def sentence(self) -> str:
        """The flag explains itself in numbers a person reads in one glance."""
        return flag_sentence(self)

    @property
    def key_number(self) -> str:
        return flag_key_number(self)


class ChildScore(models.Model):
    """A flagged child's place in the queue, kept by every evaluation (regie/scores.py).

    Computed data like Flag: one row per child with an active flag, rewritten in bulk and not
    history-tracked. It exists so the queue reads its top N from one index instead of scoring every
    flagged child of the gemeente on each page view.
    """

    child = models.OneToOneField(
        "cases.Child", on_delete=models.CASCADE, primary_key=True, related_name="queue_score", db_constraint=False
    )
    gemeente = models.ForeignKey(
        "cases.Gemeente", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    points = models.IntegerField("punten uit signalen")
    open_cost = models.DecimalField("kosten lopende zorg (€)", max_digits=14, decimal_places=2)
    # open_cost / 1000 + points, exact, so the order is the formula's order.
    score = models.DecimalField("score", max_digits=17, decimal_places=5)
    last_raised = models.DateTimeField("laatste signaal op")
    updated_at = models.DateTimeField("berekend op")

    class Meta:
        db_table = "cases_childscore"
        verbose_name = "score"
        verbose_name_plural = "scores"
        indexes = [models.Index(fields=["gemeente", "-score", "child"], name="score_queue_order")]

    def __str__(self):
        return f"Score {self.score} voor jeugdige {self.child_id}"


class RegieFigures(models.Model):
    """The figures of the regisseur's pages that need a pass over a gemeente's running care, kept by every
    evaluation of the gemeente (regie/figures.py), so a page reads a few rows by index instead of recomputing
    them. Computed data like ChildScore: rewritten in bulk, not history-tracked; figures only, no child.

    This row says the gemeente's figures were computed, when and for which day; PatternGroup holds the rest.
    """

    gemeente = models.OneToOneField(
        "cases.Gemeente", on_delete=models.CASCADE, primary_key=True, related_name="+", db_constraint=False
    )
    as_of = models.DateField("stand op")
    computed_at = models.DateTimeField("berekend op")
    residential_count = models.IntegerField("jeugdigen in verblijf")
    residential_new = models.IntegerField("waarvan nieuw gestart")
    # The providers the Top N's filter offers: running care for a child in the gemeente's queue. Ids in one
    # list, not a row each: 132,000 rows nationally, whose inserts took longer than computing them.
    provider_ids = models.JSONField("aanbieders in het filter", default=list)

    class Meta:
        verbose_name = "kengetallen regie"
        verbose_name_plural = "kengetallen regie"

    def __str__(self):
        return f"Kengetallen regie {self.gemeente_id} van {self.computed_at:%d-%m-%Y %H:%M}"


class PatternGroup(models.Model):
    """One row of the patronen page (regie/patterns.py) as the evaluation computed it: the running care of
    the gemeente's flagged children in one group of a dimension (referral source, provider, segment)."""

    gemeente = models.ForeignKey(
        "cases.Gemeente", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    dimension = models.CharField("indeling", max_length=10)  # "source", "provider" or "segment"
    label = models.CharField("groep", max_length=300)
    child_count = models.IntegerField("jeugdigen")
    trajectories = models.IntegerField("trajecten")
    cost = models.DecimalField("kosten (€)", max_digits=18, decimal_places=4)
    indicative_cost = models.DecimalField("waarvan indicatief (€)", max_digits=18, decimal_places=4)
    median_days = models.DecimalField("mediane looptijd (dagen)", max_digits=8, decimal_places=1, null=True)
    extensions = models.IntegerField("verlengingen")
    extended_trajectories = models.IntegerField("verlengde trajecten")

    class Meta:
        verbose_name = "patroongroep"
        verbose_name_plural = "patroongroepen"
        # The patronen page reads a gemeente's groups; the evaluation deletes them before writing anew.
        indexes = [models.Index(fields=["gemeente"], name="pattern_group_by_gemeente")]

    def __str__(self):
        return f"{self.dimension} {self.label}"


class DecisionKind(models.TextChoices):
    CONTINUE = "continue", "Voortzetten (met reden)"
    SCALE_DOWN = "scale_down", "Afschalen"
    END = "end", "Beëindigen"
    WLZ = "wlz", "Route naar Wlz"
    ESCALATE = "escalate", "Bestuurlijk opschalen"
    CASE_MEETING = "case_meeting", "Casusoverleg plannen"


class Decision(models.Model):
    """Besluit of the regisseur on a flagged case, with a follow-up date and who acts.

    cost_at_decision is what the open care cost when the decision was taken: the case returns to the
    queue before the follow-up date if it rises by more than the gemeente's cost jump.
    """

    child = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="decisions")
    gemeente = models.ForeignKey("cases.Gemeente", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("besluit", max_length=14, choices=DecisionKind.choices)
    reason = models.CharField("motivering", max_length=1000)
    follow_up_date = models.DateField("vervolgdatum")
    actor = models.CharField("wie onderneemt actie", max_length=120)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("besloten op")
    cost_at_decision = models.DecimalField(
        "kosten lopende zorg bij besluit (€)", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    flag_codes = models.CharField("signalen bij besluit", max_length=300, blank=True)
    # What afschalen and beëindigen act on (issue 11): the trajectory, by when, and for afschalen the
    # lighter volume proposed; the monthly costs are fixed at the decision so its saving can be shown.
    trajectory = models.ForeignKey(
        "cases.Trajectory", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="traject"
    )
    act_by = models.DateField("uitvoeren uiterlijk op", null=True, blank=True)
    end_reason = models.CharField("reden beëindiging (JZ588)", max_length=2, choices=EndReason.choices, blank=True)
    proposed_volume = models.DecimalField("voorgesteld volume", max_digits=10, decimal_places=2, null=True, blank=True)
    proposed_product = models.ForeignKey(
        "cases.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="voorgesteld product",
        help_text="Afschalen naar een lichter product; leeg: hetzelfde product met minder volume.",
    )
    monthly_cost_before = models.DecimalField(
        "kosten per maand bij besluit (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    proposed_monthly_cost = models.DecimalField(
        "voorgestelde kosten per maand (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords(table_name="cases_historicaldecision")

    class Meta:
        db_table = "cases_decision"
        verbose_name = "besluit"
        verbose_name_plural = "besluiten"
        ordering = ["-decided_at"]
        indexes = [
            # The queue reads the latest decision per child; the escalation list the escalations.
            models.Index(fields=["child", "-decided_at"], name="decision_latest_per_child"),
            models.Index(fields=["gemeente", "-decided_at"], condition=Q(kind="escalate"), name="decision_escalations"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.decided_at:%d-%m-%Y})"

    @property
    def expected_monthly_saving(self) -> Decimal | None:
        """Afschalen: cost per month now minus the proposed; beëindigen: all of it."""
        if self.monthly_cost_before is None:
            return None
        if self.kind == DecisionKind.END:
            return self.monthly_cost_before
        if self.proposed_monthly_cost is None:
            return None
        return self.monthly_cost_before - self.proposed_monthly_cost


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Open"
    DISCUSSED = "besproken", "Besproken"
    DECIDED = "besluit", "Besluit genomen"


class EscalationQuerySet(models.QuerySet):
    def for_gemeenten_of(self, user) -> "EscalationQuerySet":
        """The bestuurder's (and beleid's) view: the escalations of the gemeenten the user serves."""
        return self.filter(gemeente__in=user.gemeenten.all())

    def unanswered(self) -> "EscalationQuerySet":
        return self.exclude(status=EscalationStatus.DECIDED)


class Escalation(models.Model):
    """Bestuurlijke opschaling: the question a regisseur's escalate decision puts to the bestuurder
    (director, wethouder), and the answer. The bestuurder sees it by case number only.

    The states and the moves between them are TRANSITIONS; regie/services.py escalation_answer checks
    them under a row lock.
    """

    TRANSITIONS: dict[str, tuple[str, ...]] = {
        EscalationStatus.OPEN: (EscalationStatus.DISCUSSED, EscalationStatus.DECIDED),
        EscalationStatus.DISCUSSED: (EscalationStatus.DECIDED,),
        EscalationStatus.DECIDED: (),
    }

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="escalation")
    child = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="+")
    gemeente = models.ForeignKey("cases.Gemeente", on_delete=models.PROTECT, related_name="+")
    question = models.CharField("vraag aan de bestuurder", max_length=1000)
    status = models.CharField("status", max_length=10, choices=EscalationStatus.choices, default="open")
    answer = models.CharField("antwoord", max_length=2000, blank=True)
    answer_date = models.DateField("datum antwoord", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("opgeschaald op")
    history = HistoricalRecords()

    objects = EscalationQuerySet.as_manager()

    class Meta:
        verbose_name = "opschaling"
        verbose_name_plural = "opschalingen"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="besluit") | (~Q(answer="") & Q(answer_date__isnull=False)),
                name="escalation_decided_has_answer",
            )
        ]
        indexes = [
            # Mijn werk and the list: a gemeente's escalations not yet decided, oldest first.
            models.Index(fields=["gemeente", "created_at"], condition=~Q(status="besluit"), name="escalation_open")
        ]

    def __str__(self):
        return f"Opschaling {self.child.case_number} ({self.get_status_display().lower()})"


class CaseMeetingKind(models.TextChoices):
    TCC = "tcc", "Trajectberaad Complexe Casuïstiek (TCC)"
    TEAM8TIEN = "team8tien", "Team8Tien"
    PROVIDER = "aanbieder", "Overleg met aanbieder"
    OTHER = "anders", "Anders"


class CaseMeeting(models.Model):
    """Casusoverleg: a dated meeting of one gemeente with its participants (users and named outside
    parties) and an agenda of cases (CaseMeetingItem); the outcome per case is itself a decision."""

    gemeente = models.ForeignKey("cases.Gemeente", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("datum")
    kind = models.CharField("soort overleg", max_length=10, choices=CaseMeetingKind.choices)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="deelnemers (medewerkers)"
    )
    outside_parties = models.CharField(
        "deelnemers van buiten",
        max_length=500,
        blank=True,
        help_text="Bijvoorbeeld: Jeugdbescherming west, Ipse de Bruggen.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("aangemaakt op", auto_now_add=True)
    # Who took part is part of the minutes: a change to the participants is history too.
    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        verbose_name = "casusoverleg"
        verbose_name_plural = "casusoverleggen"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["gemeente", "date"], name="case_meeting_by_date")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d-%m-%Y}"


class CaseMeetingItem(models.Model):
    """One case on a meeting's agenda: why it is there (the regisseur's case-meeting decision) and the
    outcome, a decision recorded in or after the meeting."""

    meeting = models.ForeignKey(CaseMeeting, on_delete=models.CASCADE, related_name="items")
    child = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="+", verbose_name="jeugdige")
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="aanleiding"
    )
    outcome = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="uitkomst"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "agendapunt"
        verbose_name_plural = "agendapunten"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "child"], name="case_meeting_item_once")]

    def __str__(self):
        return f"{self.child_id} op {self.meeting}"


class QueueVisit(models.Model):
    """The Top N as the regisseur last saw it, so Mijn werk can show what entered since."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    gemeente = models.ForeignKey("cases.Gemeente", on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField("laatst bekeken")
    child_ids = models.JSONField("dossiers in de top", default=list)

    class Meta:
        verbose_name = "bezoek top N"
        verbose_name_plural = "bezoeken top N"
        constraints = [models.UniqueConstraint(fields=["user", "gemeente"], name="queue_visit_once_per_user")]

    def __str__(self):
        return f"{self.user} {self.gemeente} {self.seen_at:%d-%m-%Y %H:%M}"


class TopMembership(models.Model):
    """A child that stood in its gemeente's Top N at some evaluation during a month (regie/scores.py).

    Computed data, not history-tracked: 'Top N op tijd besproken' counts every case that was in the Top
    during the month, not only those that happened to have a follow-up date in it.
    """

    gemeente = models.ForeignKey("cases.Gemeente", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    child = models.ForeignKey("cases.Child", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    month = models.DateField("maand", help_text="De eerste dag van de maand.")
    first_seen = models.DateField("eerst in de Top op")

    class Meta:
        verbose_name = "plaats in de Top"
        verbose_name_plural = "plaatsen in de Top"
        constraints = [
            models.UniqueConstraint(fields=["gemeente", "month", "child"], name="top_membership_once_per_month")
        ]

    def __str__(self):
        return f"{self.child_id} in de Top van {self.month:%m-%Y}"


class WlzRouteQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WlzRouteQuerySet":
        return self.filter(child__in=Child.objects.visible_to(user))

    def open(self) -> "WlzRouteQuerySet":
        return self.filter(step__in=WlzRoute.OPEN_STEPS)


class WlzRoute(models.Model):
    """Route naar de Wlz (issue 11): a Wlz decision opens it; the regisseur records each next step with its
    date: voorbereiding, aanvraag CIZ ingediend, indicatie afgegeven or afgewezen, overgang.

    One workflow: the steps are WlzStep, the moves between them TRANSITIONS, and regie/wlz.py
    wlz_route_step enforces them under a row lock. Each step's date is its own column, so the route reads
    as a timeline and the report measures weeks from aanvraag to indicatie without a history walk.
    """

    TRANSITIONS: dict[str, tuple[str, ...]] = {
        WlzStep.PREPARING: (WlzStep.APPLIED,),
        WlzStep.APPLIED: (WlzStep.GRANTED, WlzStep.REFUSED),
        WlzStep.GRANTED: (WlzStep.TRANSFERRED,),
        WlzStep.REFUSED: (),
        WlzStep.TRANSFERRED: (),
    }
    OPEN_STEPS = (WlzStep.PREPARING, WlzStep.APPLIED, WlzStep.GRANTED)

    child = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="+", verbose_name="jeugdige")
    gemeente = models.ForeignKey("cases.Gemeente", on_delete=models.PROTECT, related_name="+")
    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="wlz_route", verbose_name="besluit"
    )
    step = models.CharField("stap", max_length=14, choices=WlzStep.choices, default=WlzStep.PREPARING)
    prepared_on = models.DateField("voorbereiding sinds")
    applied_on = models.DateField("aanvraag CIZ ingediend op", null=True, blank=True)
    granted_on = models.DateField("indicatie afgegeven op", null=True, blank=True)
    refused_on = models.DateField("indicatie afgewezen op", null=True, blank=True)
    transferred_on = models.DateField("overgegaan naar de Wlz op", null=True, blank=True)
    # The expected end of Jeugdwet care; with the indication it is the transfer date the ending tasks use.
    expected_end = models.DateField("verwacht einde Jeugdwet-zorg", null=True, blank=True)
    last_step_on = models.DateField("laatste stap op")
    note = models.CharField("toelichting bij de laatste stap", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    objects = WlzRouteQuerySet.as_manager()

    class Meta:
        verbose_name = "Wlz-route"
        verbose_name_plural = "Wlz-routes"
        ordering = ["-prepared_on", "-pk"]
        constraints = [
            # A second open route for the same child is refused (regie/wlz.py says so in Dutch; this is the
            # backstop for two regisseurs at once).
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(step__in=["voorbereiding", "aanvraag", "indicatie"]),
                name="wlz_route_one_open",
            ),
            models.CheckConstraint(
                condition=Q(step="voorbereiding") | Q(applied_on__isnull=False), name="wlz_route_applied_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(step__in=["indicatie", "overgang"])
                | (Q(granted_on__isnull=False) & Q(expected_end__isnull=False)),
                name="wlz_route_granted_has_dates",
            ),
        ]
        indexes = [models.Index(fields=["gemeente", "step"], name="wlz_route_by_step")]

    def __str__(self):
        return f"Wlz-route {self.child_id} ({self.get_step_display().lower()})"

    @property
    def is_open(self) -> bool:
        return self.step in self.OPEN_STEPS

    @property
    def next_steps(self) -> list[WlzStep]:
        return [WlzStep(s) for s in self.TRANSITIONS[self.step]]

    @property
    def weeks_to_indication(self) -> Decimal | None:
        if self.applied_on is None or self.granted_on is None:
            return None
        return (Decimal((self.granted_on - self.applied_on).days) / 7).quantize(Decimal("0.1"))

    @property
    def timeline(self) -> list[tuple[str, object]]:
        """The steps taken, in order, with their dates."""
        steps = [
            (WlzStep.PREPARING.label, self.prepared_on),
            (WlzStep.APPLIED.label, self.applied_on),
            (WlzStep.GRANTED.label, self.granted_on),
            (WlzStep.REFUSED.label, self.refused_on),
            (WlzStep.TRANSFERRED.label, self.transferred_on),
        ]
        return [(label, day) for label, day in steps if day is not None]


class Cohort(models.Model):
    """Peildatum: the Top N of a gemeente frozen on a day, so its effect can be measured later
    (Teylingen's "Evaluatie effecten Top 32-interventies"). regie/cohort.py takes and compares it.

    The members and their open trajectories are written once, set-based, when the cohort is taken and
    never changed: a snapshot (computed data), not history-tracked; the cohort row itself is.
    """

    gemeente = models.ForeignKey("cases.Gemeente", on_delete=models.PROTECT, related_name="+")
    peildatum = models.DateField("peildatum")
    top_n = models.PositiveSmallIntegerField("aantal casussen in de Top")
    note = models.CharField("toelichting", max_length=300, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField("vastgelegd op")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "peildatum Top N"
        verbose_name_plural = "peildata Top N"
        ordering = ["-peildatum"]
        constraints = [models.UniqueConstraint(fields=["gemeente", "peildatum"], name="cohort_once_per_day")]

    def __str__(self):
        return f"Top {self.top_n} op {self.peildatum:%d-%m-%Y}"


class CohortMember(models.Model):
    """One case of a frozen Top N: its rank, score and cost per month on the peildatum, and its flags."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    child = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="+", verbose_name="jeugdige")
    rank = models.PositiveSmallIntegerField("rang")
    score = models.DecimalField("score", max_digits=17, decimal_places=5)
    open_cost = models.DecimalField("kosten lopende zorg (€)", max_digits=14, decimal_places=2)
    monthly_cost = models.DecimalField("kosten per maand (€)", max_digits=12, decimal_places=2, default=0)
    flag_codes = models.CharField("signalen", max_length=300, blank=True)
    open_trajectories = models.PositiveSmallIntegerField("lopende trajecten", default=0)

    class Meta:
        verbose_name = "casus op de peildatum"
        verbose_name_plural = "casussen op de peildatum"
        ordering = ["cohort", "rank"]
        constraints = [models.UniqueConstraint(fields=["cohort", "child"], name="cohort_member_once")]

    def __str__(self):
        return f"{self.rank}. {self.child_id} ({self.cohort})"


class CohortTrajectory(models.Model):
    """A trajectory that was open for a cohort member on the peildatum, with its cost per day then
    (the tariff's, or the indicative one for taakgericht care), so a later scale-down shows."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="trajectories")
    child = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="+")
    trajectory = models.ForeignKey("cases.Trajectory", on_delete=models.PROTECT, related_name="+")
    daily_cost = models.DecimalField("kosten per dag (€)", max_digits=12, decimal_places=4, null=True)

    class Meta:
        verbose_name = "traject op de peildatum"
        verbose_name_plural = "trajecten op de peildatum"
        constraints = [models.UniqueConstraint(fields=["cohort", "trajectory"], name="cohort_trajectory_once")]

    def __str__(self):
        return f"{self.trajectory_id} ({self.cohort})"


class KnelpuntStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "aangepakt", "Wordt aangepakt"
    SOLVED = "opgelost", "Opgelost"


class Knelpunt(models.Model):
    """A structural bottleneck the regisseur names (e.g. "geen passend aanbod voor ..."), with the
    decisions it stands behind; the patterns page and the monthly report show them."""

    gemeente = models.ForeignKey("cases.Gemeente", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("knelpunt", max_length=200)
    description = models.CharField("toelichting", max_length=2000, blank=True)
    status = models.CharField("status", max_length=10, choices=KnelpuntStatus.choices, default=KnelpuntStatus.OPEN)
    decisions = models.ManyToManyField(Decision, blank=True, related_name="knelpunten", verbose_name="besluiten")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("aangemaakt op")
    history = HistoricalRecords(m2m_fields=[decisions])

    class Meta:
        verbose_name = "knelpunt"
        verbose_name_plural = "knelpunten"
        ordering = ["status", "title"]
        constraints = [models.UniqueConstraint(fields=["gemeente", "title"], name="knelpunt_title_once")]

    def __str__(self):
        return self.title
