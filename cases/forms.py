"""Forms for the case pages. They parse input; the rules live in cases/services/."""

import html
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import formatting
from .codes import EndReason, Financing, Frequency
from .models import Child, Gemeente, GuardianRelation, Product, Provider, ReviewOutcome
from .services import Address

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LongSelect(forms.Select):
    """A plain select rendered in Python: the template engine took ~70 ms for the 600 providers of the
    national data set, most of the Top 32 page's time, and most of the toets queue's Python time for its
    product and provider filters. Same markup as forms.Select, without option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        # One string for all options, each value escaped as conditional_escape would (html.escape
        # unless already safe): format_html per option was most of the render time of 1,000 options.
        options = "".join(
            f'<option value="{escaped(key)}"{" selected" if str(key) in chosen else ""}>{escaped(label)}</option>'
            for key, label in self.choices
        )
        return format_html(
            "<select{}>{}</select>",
            flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name})),
            mark_safe(options),  # noqa: S308 - every value in it is escaped above
        )


def escaped(value) -> str:
    """`value` escaped as the template engine's autoescape does (conditional_escape), at a few calls instead of
    a dozen: for HTML built in Python, many values a page."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


CASE_NUMBER = re.compile(r"^\s*(?:jr[\s-]?)?0*(\d{1,9})\s*$", re.IGNORECASE)


def run_service(form: forms.Form, call):
    """Call a service; put its ValidationError messages on the form's fields. Returns the result or None."""
    try:
        return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
        else:
            for message in exc.messages:
                form.add_error(None, message)
        return None


def parse_case_number(text: str) -> int | None:
    match = CASE_NUMBER.match(text or "")
    return int(match.group(1)) if match else None


class ChildRegisterForm(forms.Form):
    gemeente = forms.ModelChoiceField(queryset=None, label="Gemeente", empty_label=None)
    first_name = forms.CharField(label="Voornaam", max_length=80)
    name_prefix = forms.CharField(label="Tussenvoegsel", max_length=20, required=False)
    last_name = forms.CharField(label="Achternaam", max_length=120)
    birth_date = forms.DateField(label="Geboortedatum", widget=DATE_INPUT)
    bsn = forms.CharField(
        label="BSN (optioneel)",
        max_length=9,
        required=False,
        help_text="Negen cijfers. Wordt gecontroleerd met de elfproef en nooit in lijsten getoond.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    sibling_case_number = forms.CharField(
        label="Hoort bij het huishouden van dossier",
        required=False,
        help_text="Dossiernummer van een broer of zus (bijv. JR-000123). Leeg: nieuw huishouden.",
    )
    household_name = forms.CharField(
        label="Naam nieuw huishouden", max_length=120, required=False, help_text="Bijvoorbeeld 'Gezin De Vries'."
    )
    household_postcode = forms.CharField(
        label="Postcode (optioneel)", max_length=20, required=False, help_text="Van het nieuwe huishouden, als 1234 AB."
    )
    household_house_number = forms.CharField(label="Huisnummer (optioneel)", max_length=20, required=False)
    household_city = forms.CharField(label="Woonplaats (optioneel)", max_length=80, required=False)
    household_residence_gemeente = forms.ModelChoiceField(
        queryset=Gemeente.objects.order_by("name"),
        label="Gemeente van het adres (optioneel)",
        required=False,
        empty_label="— kies —",
    )
    confirm_new = forms.BooleanField(
        label="Ik heb de mogelijke dubbele dossiers bekeken: dit is een ander kind.", required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["gemeente"].queryset = user.gemeenten.all()
        self.household = None

    def household_address(self) -> Address:
        data = self.cleaned_data
        return Address(
            postcode=data.get("household_postcode", ""),
            house_number=data.get("household_house_number", ""),
            city=data.get("household_city", ""),
            residence_gemeente=data.get("household_residence_gemeente"),
        )

    def clean_bsn(self):
        return re.sub(r"\D", "", self.cleaned_data["bsn"] or "")

    def clean_sibling_case_number(self):
        text = self.cleaned_data["sibling_case_number"].strip()
        if not text:
            return ""
        pk = parse_case_number(text)
        sibling = Child.objects.visible_to(self.user).select_related("household").filter(pk=pk).first() if pk else None
        if sibling is None:
            raise ValidationError("Geen dossier gevonden met dit nummer in uw gemeenten.")
        self.household = sibling.household
        return text


class ReferralChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{formatting.date(obj.date)} · {obj.get_source_display()} · {obj.get_request_category_display()}"


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.financing == Financing.TASK:
            price = "taakgericht"
        else:
            price = f"{formatting.euro(obj.tariff, 2)} per {obj.get_unit_display().lower()}"
        return f"{obj.code} {obj.description} ({price})"


def usable_products():
    """Products a trajectory can start on: active, and priced unless taakgericht."""
    return (
        Product.objects.filter(active=True)
        .filter(Q(financing=Financing.TASK) | Q(tariff__isnull=False))
        .select_related("segment")
        .order_by("segment__number", "code")
    )


class TrajectoryFields(forms.Form):
    provider = forms.ModelChoiceField(queryset=Provider.objects.all(), label="Aanbieder")
    start_date = forms.DateField(label="Startdatum", widget=DATE_INPUT)
    planned_end_date = forms.DateField(label="Geplande einddatum", widget=DATE_INPUT)
    volume = forms.DecimalField(
        label="Volume", max_digits=10, decimal_places=2, help_text="Aantal eenheden per gekozen frequentie."
    )
    frequency = forms.ChoiceField(label="Frequentie", choices=Frequency.choices, initial=Frequency.PER_WEEK)
    above_norm_reason = forms.CharField(
        label="Reden boven de norm",
        max_length=300,
        required=False,
        help_text="Alleen nodig als het volume boven het normvolume van het product ligt.",
    )
    outside_budget = forms.BooleanField(label="Buiten-budgettaire inzet", required=False)
    outside_budget_reason = forms.CharField(
        label="Reden buiten budget", max_length=200, required=False, help_text="Bijv. maatwerk of niet-gecontracteerd."
    )


class TrajectoryStartForm(TrajectoryFields):
    referral = ReferralChoiceField(queryset=None, label="Verwijzing", empty_label=None)
    product = ProductChoiceField(queryset=None, label="Product")
    actual_start_date = forms.DateField(
        label="Zorg gestart op (eerste contact)",
        required=False,
        widget=DATE_INPUT,
        help_text="Leeg laten als de zorg nog niet begonnen is: de jeugdige staat dan op de wachtlijst.",
    )
    field_order = ["referral", "provider", "product", "start_date", "planned_end_date", "volume", "frequency"]

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = child.referrals.all()
        self.fields["product"].queryset = usable_products()


class TrajectoryChangeForm(TrajectoryFields):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TrajectoryRecordStartForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    actual_start_date = forms.DateField(
        label="Zorg gestart op (eerste contact)", required=False, widget=DATE_INPUT, help_text="Leeg: wacht nog."
    )
    family_informed_date = forms.DateField(label="Gezin geïnformeerd op", required=False, widget=DATE_INPUT)
    bridging_care = forms.CharField(
        label="Overbruggingszorg", max_length=200, required=False, help_text="Wat er gebeurt tot de zorg start."
    )


class TrajectoryEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    end_date = forms.DateField(label="Einddatum", widget=DATE_INPUT)
    end_reason = forms.ChoiceField(label="Reden beëindiging", choices=[("", "— kies —"), *EndReason.choices])


class ExtensionRequestForm(forms.Form):
    requested_end_date = forms.DateField(label="Gevraagde nieuwe einddatum", widget=DATE_INPUT)
    requested_volume = forms.DecimalField(
        label="Gevraagd volume (optioneel)",
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text="Leeg laten als het volume gelijk blijft.",
    )
    reason = forms.CharField(label="Reden", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    above_norm_reason = forms.CharField(
        label="Reden boven de norm",
        max_length=300,
        required=False,
        help_text="Alleen nodig als het volume boven het normvolume van het product ligt.",
    )


class ReviewPlanForm(forms.Form):
    due_date = forms.DateField(label="Uiterlijke reviewdatum", widget=DATE_INPUT)


class ReviewRecordForm(forms.Form):
    done_date = forms.DateField(label="Uitgevoerd op", widget=DATE_INPUT)
    outcome = forms.ChoiceField(label="Uitkomst", choices=[("", "— kies —"), *ReviewOutcome.choices])
    note = forms.CharField(
        label="Toelichting", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExtensionDecisionForm(forms.Form):
    DECISIONS = [
        ("approved", "Toekennen zoals gevraagd"),
        ("shortened", "Korter toekennen"),
        ("refused", "Afwijzen"),
    ]
    decision = forms.ChoiceField(label="Besluit", choices=DECISIONS, widget=forms.RadioSelect)
    granted_end_date = forms.DateField(
        label="Toegekende einddatum (alleen bij korter toekennen)", required=False, widget=DATE_INPUT
    )
    granted_volume = forms.DecimalField(
        label="Toegekend volume (optioneel, alleen bij korter toekennen)",
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text="Leeg: het gevraagde volume (of het huidige, als er geen volume is gevraagd).",
    )
    reason = forms.CharField(label="Motivering", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class AddressForm(forms.Form):
    """An address; the service checks it (Dutch postcode, huisnummer) and says what is wrong beside each field."""

    postcode = forms.CharField(label="Postcode", max_length=20, required=False, help_text="Bijvoorbeeld 1234 AB.")
    house_number = forms.CharField(
        label="Huisnummer", max_length=20, required=False, help_text="Met toevoeging als die er is: 12a of 12-2."
    )
    city = forms.CharField(label="Woonplaats", max_length=80, required=False)
    residence_gemeente = forms.ModelChoiceField(
        queryset=Gemeente.objects.order_by("name"),
        label="Gemeente van het adres",
        required=False,
        empty_label="— kies —",
    )

    def address(self) -> Address:
        data = self.cleaned_data
        return Address(
            postcode=data.get("postcode", ""),
            house_number=data.get("house_number", ""),
            city=data.get("city", ""),
            residence_gemeente=data.get("residence_gemeente"),
        )


class GuardianForm(AddressForm):
    name = forms.CharField(label="Naam", max_length=120, required=False)
    relation = forms.ChoiceField(
        label="Relatie tot het kind", choices=[("", "— kies —"), *GuardianRelation.choices], required=False
    )
    has_gezag = forms.BooleanField(label="Heeft gezag", required=False, initial=True)
    lives_in_household = forms.BooleanField(
        label="Woont op het adres van het huishouden",
        required=False,
        initial=True,
        help_text="Zo niet: vul hieronder het eigen adres in.",
    )
    field_order = ["name", "relation", "has_gezag", "lives_in_household"]


class GuardianRemoveForm(forms.Form):
    reason = forms.CharField(
        label="Reden",
        max_length=100,
        required=False,
        help_text="Bijvoorbeeld: gezag beëindigd, overleden, ten onrechte vastgelegd.",
    )
