from django.contrib import admin

from heard_web.analysis.models import AnalysisRun, Theme, ThemeEdit


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "project", "status", "progress", "created_at"]
    list_filter = ["status"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["label", "project", "run", "key", "size", "pinned", "renamed"]
    exclude = ["centroid"]


@admin.register(ThemeEdit)
class ThemeEditAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "created_by", "created_at"]
