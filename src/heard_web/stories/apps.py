from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "heard_web.stories"
    label = "stories"
    verbose_name = "Stories and sources"
    default_auto_field = "django.db.models.BigAutoField"
