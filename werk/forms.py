"""The team lead's bulk handover of files to another casusregisseur."""

from django import forms

from cases.work_forms import WorkerChoiceField, team_of


class ReassignForm(forms.Form):
    children = forms.TypedMultipleChoiceField(
        label="Dossiers", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    all_of_worker = forms.BooleanField(label="Alle open dossiers van deze medewerker", required=False)
    owner = WorkerChoiceField(queryset=None, label="Nieuwe casusregisseur", empty_label="— kies —")
    reason = forms.CharField(label="Reden", max_length=100)

    def __init__(self, *args, gemeente_id: int, child_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_of(gemeente_id)
        self.fields["children"].choices = child_choices
