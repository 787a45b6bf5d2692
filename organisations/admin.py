from django.contrib import admin

from .models import Editorship, Language, MunicipalContact, Municipality, Organisation, Region, Sector, TargetGroup


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fi", "name_sv")
    search_fields = ("name_fi", "name_sv", "code")


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fi", "name_sv", "region", "subregion_name")
    list_filter = ("region",)
    search_fields = ("name_fi", "name_sv", "code")


@admin.register(Sector, TargetGroup)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ("name_fi", "name_sv", "name_en", "slug", "position")
    list_editable = ("position",)


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fi", "name_sv", "name_en", "position")


class EditorshipInline(admin.TabularInline):
    model = Editorship
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "home_municipality", "status", "information_confirmed_at", "updated_at")
    list_filter = ("status", "home_municipality__region", "sectors")
    search_fields = ("name", "name_sv", "register_number", "business_id")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("home_municipality", "municipalities")
    filter_horizontal = ("sectors", "target_groups", "languages")
    list_select_related = ("home_municipality",)
    inlines = [EditorshipInline]


@admin.register(MunicipalContact)
class MunicipalContactAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "email", "phone", "is_public")
    search_fields = ("name", "email")
    filter_horizontal = ("municipalities",)
    autocomplete_fields = ("user",)
