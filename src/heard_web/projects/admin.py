from django.contrib import admin

from heard_web.projects.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "slug", "created_at"]
    search_fields = ["name", "slug"]
    list_filter = ["organisation"]
