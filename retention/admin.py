from django.contrib import admin

from cases.admin import is_beheerder

from .models import RetentionRun


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    """How many files each run anonymised: read-only, for the privacy officer."""

    list_display = ["ran_at", "cutoff", "years", "dry_run", "processed"]

    def has_module_permission(self, request):
        return is_beheerder(request.user)

    def has_view_permission(self, request, obj=None):
        return is_beheerder(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
