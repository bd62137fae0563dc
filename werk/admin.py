from django.contrib import admin

from cases.admin import BeheerAdmin, is_beheerder, served_gemeenten

from .models import WorkWindows


@admin.register(WorkWindows)
class WorkWindowsAdmin(BeheerAdmin):
    """The warning windows of Mijn werk, per gemeente: the beheerder sets them."""

    gemeente_path = "gemeente"
    list_display = [
        "gemeente",
        "review_days",
        "trajectory_end_days",
        "task_days",
        "referral_outcome_days",
        "follow_up_days",
        "escalation_days",
    ]
    history_list_display = ["review_days", "trajectory_end_days", "task_days"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "gemeente":
            kwargs["queryset"] = served_gemeenten(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return is_beheerder(request.user)
