from django import forms

from cases.codes import ReferrerType
from cases.forms import DATE_INPUT

from .models import ReferralOutcome, RequestCategory


class ReferralForm(forms.Form):
    date = forms.DateField(label="Verwijsdatum", widget=DATE_INPUT)
    source = forms.ChoiceField(label="Verwijzer", choices=[("", "— kies —"), *ReferrerType.choices])
    referrer_name = forms.CharField(label="Naam verwijzer (optioneel)", max_length=120, required=False)
    referrer_agb = forms.CharField(
        label="AGB-code verwijzer (optioneel)", max_length=8, required=False, help_text="8 cijfers."
    )
    request_category = forms.ChoiceField(label="Hulpvraag", choices=[("", "— kies —"), *RequestCategory.choices])


class ReferralOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Uitkomst", choices=[("", "— kies —"), *ReferralOutcome.choices])
    outcome_date = forms.DateField(label="Datum uitkomst", widget=DATE_INPUT)
