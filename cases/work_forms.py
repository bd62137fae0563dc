"""Forms for the worker's own work on a file: owner, tasks and journal. Rules live in cases/services/work.py."""

from django import forms

from .forms import DATE_INPUT
from .models import JournalEntry, JournalKind, Role, TaskKind, User


def team_of(gemeente_id: int):
    """The toegangsmedewerkers who can own a file of this gemeente."""
    return User.objects.filter(role=Role.TOEGANG, is_active=True, gemeenten=gemeente_id).order_by(
        "first_name", "last_name", "username"
    )


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class OwnerForm(forms.Form):
    owner = WorkerChoiceField(queryset=None, label="Casusregisseur", required=False, empty_label="— niemand —")
    reason = forms.CharField(label="Reden", max_length=100, required=False)

    def __init__(self, *args, gemeente_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_of(gemeente_id)


ROLE_CHOICES = [(Role.TOEGANG, "Toegang"), (Role.TOETS, "Toetsing"), (Role.REGISSEUR, "Regisseur")]


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label="Soort", choices=[("", "— kies —"), *TaskKind.choices])
    title = forms.CharField(label="Omschrijving", max_length=200, required=False)
    due_date = forms.DateField(label="Uiterlijk op", widget=DATE_INPUT)
    owner = WorkerChoiceField(queryset=None, label="Voor medewerker", required=False, empty_label="— geen —")
    owner_role = forms.ChoiceField(
        label="Of voor een rol van de gemeente", choices=[("", "— geen —"), *ROLE_CHOICES], required=False
    )

    def __init__(self, *args, gemeente_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True, gemeenten=gemeente_id).order_by(
            "first_name", "last_name", "username"
        )


class TaskCancelForm(forms.Form):
    reason = forms.CharField(label="Reden", max_length=300, required=False)


class JournalForm(forms.Form):
    kind = forms.ChoiceField(label="Soort", choices=[("", "— kies —"), *JournalKind.choices])
    event_date = forms.DateField(label="Datum", widget=DATE_INPUT)
    text = forms.CharField(label="Notitie", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 5}))
    corrects = forms.ModelChoiceField(
        queryset=JournalEntry.objects.none(), label="Correctie op", required=False, empty_label="— geen —"
    )

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].queryset = child.journal.all()
