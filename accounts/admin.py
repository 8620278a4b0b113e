"""Admin of the product catalog. Members and their records are staff work on personal data:
their admin is in ``staff.admin``, where every view writes its access record."""

from django.contrib import admin

from accounts.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "active", "ordering")
    list_editable = ("active", "ordering")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")
