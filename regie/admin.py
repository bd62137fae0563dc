"""Beheer of the signalering (issue 3): thresholds and weights per gemeente, and the size of the Top.

Found by admin autodiscovery in the regie app. The same gemeente scoping and role rules as every beheer page.
"""

from django import forms
from django.contrib import admin

from cases.admin import BeheerAdmin, ServedGemeenteFilter, is_beheerder, served_gemeenten
from cases.evaluation import request_gemeente_evaluation

from .models import FlagRule, RegieSettings


class FlagRuleRowForm(forms.ModelForm):
    """One row of the editable list: every input names its rule and gemeente for a screen reader
    (the column header alone does not label an input; axe: 'label', critical)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rule = f"{self.instance.get_code_display()} ({self.instance.gemeente})" if self.instance.pk else ""
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{field.label} van {rule}" if rule else str(field.label)


@admin.register(FlagRule)
class FlagRuleAdmin(BeheerAdmin):
    """The rules exist for every gemeente (the evaluation creates the defaults of DOMAIN.md §6)."""

    gemeente_path = "gemeente"
    list_display = ["code", "gemeente", "enabled", "threshold", "threshold_meaning", "weight"]
    list_editable = ["enabled", "threshold", "weight"]
    list_filter = [ServedGemeenteFilter, "code"]
    readonly_fields = ["gemeente", "code", "threshold_meaning"]
    fields = ["gemeente", "code", "enabled", "threshold", "threshold_meaning", "weight"]
    history_list_display = ["enabled", "threshold", "weight"]

    def get_queryset(self, request):
        # Each row's inputs name the rule's gemeente (FlagRuleRowForm): one join, also when the list is saved.
        return super().get_queryset(request).select_related("gemeente")

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", FlagRuleRowForm)
        return super().get_changelist_form(request, **kwargs)

    @admin.display(description="betekenis van de drempel")
    def threshold_meaning(self, obj):
        return obj.threshold_meaning

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new threshold or weight changes the gemeente's flags and scores: re-evaluate it after commit,
        # once per request (the list page saves every edited rule of the gemeente here).
        queued = request.__dict__.setdefault("_gemeenten_to_evaluate", set())
        if obj.gemeente_id not in queued:
            queued.add(obj.gemeente_id)
            request_gemeente_evaluation(obj.gemeente_id)


@admin.register(RegieSettings)
class RegieSettingsAdmin(BeheerAdmin):
    gemeente_path = "gemeente"
    list_display = ["gemeente", "top_n", "cost_jump_percent"]
    history_list_display = ["top_n", "cost_jump_percent"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "gemeente":
            kwargs["queryset"] = served_gemeenten(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return is_beheerder(request.user)
