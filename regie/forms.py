"""Forms of the regisseur's pages. They parse input; the rules live in regie/services.py."""

from django import forms
from django.utils import timezone

from cases.codes import EndReason, Financing, ReferrerType
from cases.formatting import number
from cases.forms import DATE_INPUT, LongSelect, ProductChoiceField, usable_products
from cases.models import Product, Role, Trajectory, User

from .codes import WlzStep
from .knelpunten import LINKABLE
from .models import CaseMeeting, CaseMeetingKind, DecisionKind, EscalationStatus, FlagCode, Knelpunt


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
    trajectory = forms.ModelChoiceField(
        label="Traject (bij afschalen of beëindigen)",
        queryset=Trajectory.objects.none(),
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": "Kies een lopend traject van deze jeugdige."},
    )
    act_by = forms.DateField(
        label="Uitvoeren uiterlijk op",
        widget=DATE_INPUT,
        required=False,
        help_text="De casusregisseur krijgt een taak met deze datum.",
        error_messages={"invalid": "Geef een geldige datum (dd-mm-jjjj)."},
    )
    proposed_product = ProductChoiceField(
        label="Lichter product (bij afschalen, optioneel)",
        queryset=Product.objects.none(),
        required=False,
        empty_label="— hetzelfde product, minder volume —",
        help_text="De casusregisseur zet het traject om: het oude eindigt, het nieuwe start en volgt het op.",
        error_messages={"invalid_choice": "Kies een product uit de lijst."},
    )
    proposed_volume = forms.DecimalField(
        label="Voorgesteld volume (bij afschalen)",
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text="In dezelfde frequentie als nu, in de eenheid van het (lichtere) product; de besparing per "
        "maand volgt uit het tarief.",
        error_messages={"invalid": "Geef een getal."},
    )
    end_reason = forms.ChoiceField(
        label="Reden beëindiging (JZ588, bij beëindigen)",
        choices=[("", "—")] + list(EndReason.choices),
        required=False,
    )
    question = forms.CharField(
        label="Vraag aan de bestuurder (bij opschalen)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="De bestuurder ziet alleen deze vraag en het dossiernummer: geen namen of BSN in de vraag.",
    )
    meeting = forms.ModelChoiceField(
        label="Op de agenda van (bij een casusoverleg)",
        queryset=CaseMeeting.objects.none(),
        required=False,
        empty_label="— nog geen overleg gekozen —",
        help_text="De casus komt op de agenda van dit overleg. Plan een overleg onder Casusoverleg.",
        error_messages={"invalid_choice": "Kies een gepland overleg van deze gemeente."},
    )
    # The agenda item this decision is the outcome of, when it is recorded from a meeting's minutes.
    meeting_item = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The latest decision on the case when the form was opened (0: none), so a decision recorded by
    # someone else in the meantime is shown rather than overwritten.
    seen_decision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    knelpunten = forms.ModelMultipleChoiceField(
        label="Knelpunten (optioneel)",
        queryset=Knelpunt.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Het structurele knelpunt waar dit besluit mee te maken heeft. Beheer ze onder Knelpunten.",
        error_messages={"invalid_choice": "Kies een open knelpunt van deze gemeente (%(value)s bestaat niet)."},
    )

    def __init__(self, *args, child=None, **kwargs):
        super().__init__(*args, **kwargs)
        if child is not None:
            running = child.trajectories.filter(end_date__isnull=True).select_related("product", "provider")
            self.fields["trajectory"].queryset = running.order_by("start_date", "pk")
            self.fields["proposed_product"].queryset = usable_products().exclude(financing=Financing.TASK)
            self.fields["meeting"].queryset = CaseMeeting.objects.filter(
                gemeente_id=child.gemeente_id, date__gte=timezone.localdate()
            ).order_by("date", "pk")
            self.fields["knelpunten"].queryset = Knelpunt.objects.filter(
                gemeente_id=child.gemeente_id, status__in=LINKABLE
            ).order_by("title")
            self.fields["trajectory"].label_from_instance = lambda t: (
                f"{t.product.code} {t.product.description} bij {t.provider.name}: "
                f"{number(t.volume)} {t.get_unit_display().lower()} {t.get_frequency_display().lower()}"
            )


class ManualFlagForm(forms.Form):
    reason = forms.CharField(label="Reden van het signaal", max_length=500)


class ResolveFlagForm(forms.Form):
    note = forms.CharField(label="Toelichting", max_length=500)


class QueueFilterForm(forms.Form):
    """Filters of the queue, read from the URL (GET) so they survive going back and can be bookmarked.
    Every select rendered in Python (LongSelect): the template engine's select was a sixth of the page's calls."""

    signaal = forms.ChoiceField(label="Signaal", required=False, widget=LongSelect)
    segment = forms.TypedChoiceField(label="Segment", required=False, coerce=int, empty_value=None, widget=LongSelect)
    verwijzer = forms.ChoiceField(label="Verwijzer", required=False, widget=LongSelect)
    aanbieder = forms.TypedChoiceField(
        label="Aanbieder", required=False, coerce=int, empty_value=None, widget=LongSelect
    )

    def __init__(self, data, *, segments, providers):
        super().__init__(data)
        everything = [("", "Alle")]
        self.fields["signaal"].choices = everything + list(FlagCode.choices)
        self.fields["segment"].choices = everything + list(segments)
        self.fields["verwijzer"].choices = everything + list(ReferrerType.choices)
        self.fields["aanbieder"].choices = everything + list(providers)


class EscalationAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=EscalationStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Kies de status."},
    )
    answer = forms.CharField(
        label="Antwoord of besluit", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    answer_date = forms.DateField(
        label="Datum",
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": "Geef een geldige datum (dd-mm-jjjj)."},
    )


class CaseMeetingForm(forms.Form):
    date = forms.DateField(
        label="Datum", widget=DATE_INPUT, error_messages={"required": "Kies de datum van het overleg."}
    )
    kind = forms.ChoiceField(label="Soort overleg", choices=[("", "—")] + list(CaseMeetingKind.choices))
    participants = forms.ModelMultipleChoiceField(
        label="Deelnemers (medewerkers)", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    outside_parties = forms.CharField(label="Deelnemers van buiten", required=False, max_length=500)

    def __init__(self, *args, gemeente, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = "Kies de soort overleg."
        self.fields["participants"].queryset = User.objects.filter(gemeenten=gemeente, is_active=True).order_by(
            "last_name", "first_name"
        )
        self.fields["participants"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.get_role_display().lower()})"
        )


class AgendaCaseForm(forms.Form):
    case_number = forms.CharField(
        label="Dossiernummer", max_length=20, error_messages={"required": "Geef het dossiernummer."}
    )


class WlzStepForm(forms.Form):
    """The next step of a Wlz route; the choices are the moves the route allows (WlzRoute.TRANSITIONS)."""

    step = forms.ChoiceField(
        label="Volgende stap",
        widget=forms.RadioSelect,
        error_messages={"required": "Kies de volgende stap.", "invalid_choice": "Kies de volgende stap."},
    )
    date = forms.DateField(
        label="Datum van de stap",
        widget=DATE_INPUT,
        error_messages={"required": "Geef de datum van deze stap.", "invalid": "Geef een geldige datum (dd-mm-jjjj)."},
    )
    expected_end = forms.DateField(
        label="Einde Jeugdwet-zorg (overgangsdatum)",
        widget=DATE_INPUT,
        required=False,
        help_text="Verplicht bij 'indicatie afgegeven': vanaf deze datum worden de Jeugdwet-trajecten beëindigd.",
        error_messages={"invalid": "Geef een geldige datum (dd-mm-jjjj)."},
    )
    owner = forms.ModelChoiceField(
        label="Taak beëindigen voor (bij indicatie afgegeven)",
        queryset=User.objects.none(),
        required=False,
        empty_label="— de casusregisseur van het dossier —",
        error_messages={"invalid_choice": "Kies een toegangsmedewerker van deze gemeente."},
    )
    note = forms.CharField(
        label="Toelichting", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, route, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(s.value, s.label) for s in route.next_steps]
        self.fields["owner"].queryset = User.objects.filter(
            gemeenten=route.gemeente_id, role=Role.TOEGANG, is_active=True
        ).order_by("last_name", "first_name")
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        if WlzStep.GRANTED not in route.next_steps:
            del self.fields["owner"]  # only the indication gives the ending tasks
        if route.step == WlzStep.GRANTED:
            del self.fields["expected_end"]  # the indication fixed the transfer date
