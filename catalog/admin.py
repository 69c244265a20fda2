"""Superuser-only admin view of collections (read-only: collections change through catalog.services)."""

from django.contrib import admin

from biobank.admin_readonly import ReadOnlyAdmin

from .models import Collection


@admin.register(Collection)
class CollectionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "biobank", "updated_at")
    list_filter = ("biobank",)
    search_fields = ("code", "name")
    list_select_related = ("biobank",)
