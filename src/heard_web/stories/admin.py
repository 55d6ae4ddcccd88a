from django.contrib import admin

from heard_web.stories.models import ImportJob, Passage, Source, Story


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "kind", "created_at"]
    list_filter = ["kind"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["file_name", "project", "status", "progress", "created_at"]
    list_filter = ["status"]


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    # Site administrators see redacted text only; originals are for project owners, audited.
    list_display = ["pk", "project", "source", "moderation", "received_at"]
    list_filter = ["moderation"]
    exclude = ["original_text"]
    readonly_fields = ["content_hash"]


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    list_display = ["story", "index", "model_name"]
    exclude = ["embedding"]
