"""Forms of the peildatum (Top N cohort) and knelpunten pages; the rules live in their services."""

from django import forms

from .models import KnelpuntStatus


class CohortTakeForm(forms.Form):
    note = forms.CharField(
        label="Toelichting (optioneel)",
        required=False,
        max_length=300,
        help_text="Bijvoorbeeld: start Top 32-aanpak, nulmeting voor de raad.",
    )


class KnelpuntForm(forms.Form):
    title = forms.CharField(
        label="Knelpunt",
        max_length=200,
        error_messages={"required": "Geef het knelpunt een titel, bijvoorbeeld: geen passend aanbod voor …"},
        help_text="Een structureel knelpunt, zonder namen: bijvoorbeeld 'geen passend aanbod voor …'.",
    )
    description = forms.CharField(
        label="Toelichting", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(
        label="Status",
        choices=KnelpuntStatus.choices,
        initial=KnelpuntStatus.OPEN,
        error_messages={"required": "Kies de status.", "invalid_choice": "Kies de status (%(value)s bestaat niet)."},
    )
