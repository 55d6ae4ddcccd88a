"""The WSGI application (``heard serve`` runs it with waitress)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heard_web.settings")

application = get_wsgi_application()
