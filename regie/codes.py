"""The signals of DOMAIN.md §6 as codes, below the models: the flag sentences (flag_text.py) and the
models both read them, so neither has to import the other's module to know what a code means."""

from django.db import models


class FlagCode(models.TextChoices):
    """The signals of DOMAIN.md §6. The stored value is what CSV/JSON exports show."""

    DURATION = "duur", "Duur boven norm"
    COST = "kosten", "Kosten"
    EXTENSIONS = "verlengingen", "Verlengingen"
    STACKING = "stapeling", "Stapeling (kind)"
    HOUSEHOLD_STACKING = "stapeling_gezin", "Stapeling (gezin)"
    WAITING = "wachttijd", "Wachttijd"
    PAST_END = "einddatum", "Einddatum verstreken"
    REVIEW_LATE = "review", "Review te laat"
    TURNING_18 = "18plus", "18-/18+"
    OUTSIDE_BUDGET = "buiten_budget", "Buiten budget"
    RESIDENTIAL = "verblijf", "Verblijf"
    VOLUME = "volume", "Volume boven norm"
    WLZ_STALLED = "wlz_stil", "Wlz-route stil"
    MANUAL = "handmatig", "Handmatig"


# The detail of a cost flag whose sum is partly an indicative (taakgericht) cost.
INDICATIVE_DETAIL = "indicatief"


class WlzStep(models.TextChoices):
    """The steps of a Wlz route (issue 11), in order. The allowed moves between them are
    regie.models.WlzRoute.TRANSITIONS; regie/wlz.py wlz_route_step enforces them."""

    PREPARING = "voorbereiding", "Voorbereiding"
    APPLIED = "aanvraag", "Aanvraag CIZ ingediend"
    GRANTED = "indicatie", "Indicatie afgegeven"
    REFUSED = "afgewezen", "Indicatie afgewezen"
    TRANSFERRED = "overgang", "Overgang naar de Wlz"

    @property
    def phrase(self) -> str:
        """The label inside a sentence: 'aanvraag CIZ ingediend', 'overgang naar de Wlz'."""
        return self.label[0].lower() + self.label[1:]
