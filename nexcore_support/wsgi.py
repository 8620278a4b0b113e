"""WSGI entry point: ``gunicorn nexcore_support.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexcore_support.settings")

application = get_wsgi_application()
