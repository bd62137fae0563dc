"""Forms of the regisseur's pages. They parse input; the rules live in regie/services.py."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from cases.codes import ReferrerType
from cases.forms import DATE_INPUT
from cases.models import Segment

from .models import DecisionKind, FlagCode


class DecisionForm(forms.Form):
    """Parses the decision; on a refusal the view re-renders it bound, every error beside its field."""

    kind = forms.ChoiceField(
        label="Besluit",
        choices=DecisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Kies een besluit.", "invalid_choice": "Kies een besluit."},
    )
    reason = forms.CharField(
        label="Motivering",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Motiveer het besluit."},
    )
    follow_up_date = forms.DateField(
        label="Vervolgdatum",
        widget=DATE_INPUT,
        error_messages={"required": "Kies een vervolgdatum.", "invalid": "Geef een geldige datum (dd-mm-jjjj)."},
        help_text="Tot deze datum staat de casus niet in de Top, tenzij hij verslechtert.",
    )
    actor = forms.CharField(
        label="Wie onderneemt actie",
        max_length=120,
        error_messages={"required": "Geef aan wie actie onderneemt."},
        help_text="Bijvoorbeeld: regisseur, toegangsteam, directeur en wethouder.",
    )
    # The latest decision on the case when the form was opened (0: none), so a decision recorded by
    # someone else in the meantime is shown rather than overwritten.
    seen_decision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ManualFlagForm(forms.Form):
    reason = forms.CharField(label="Reden van het signaal", max_length=500)


class ResolveFlagForm(forms.Form):
    note = forms.CharField(label="Toelichting", max_length=500)


class LongSelect(forms.Select):
    """A plain select rendered in Python: the template engine took ~70 ms for the 600 providers of the
    national data set, most of the queue page's time. Same markup as forms.Select, without option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html(
            "<select{}>{}</select>", flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name})), options
        )


class QueueFilterForm(forms.Form):
    """Filters of the queue, read from the URL (GET) so they survive going back and can be bookmarked."""

    signaal = forms.ChoiceField(label="Signaal", required=False)
    segment = forms.TypedChoiceField(label="Segment", required=False, coerce=int, empty_value=None)
    verwijzer = forms.ChoiceField(label="Verwijzer", required=False)
    aanbieder = forms.TypedChoiceField(
        label="Aanbieder", required=False, coerce=int, empty_value=None, widget=LongSelect
    )

    def __init__(self, data, *, providers):
        super().__init__(data)
        everything = [("", "Alle")]
        self.fields["signaal"].choices = everything + list(FlagCode.choices)
        self.fields["segment"].choices = everything + [(s.number, str(s)) for s in Segment.objects.order_by("number")]
        self.fields["verwijzer"].choices = everything + list(ReferrerType.choices)
        self.fields["aanbieder"].choices = everything + list(providers)
