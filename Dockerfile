# NEXCORE Support Portal: gunicorn serving the site and its static files, as an unprivileged user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_VAR_DIR=/app/var \
    PORT=8000

RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 portal

WORKDIR /app
COPY pyproject.toml README.md ./
COPY nexcore_support ./nexcore_support
COPY core ./core
COPY accounts ./accounts
COPY privacy ./privacy
COPY staff ./staff
COPY retention ./retention
RUN pip install --no-cache-dir .
COPY . .

# Build-time only key: collectstatic and compilemessages never sign anything.
RUN DJANGO_SECRET_KEY=build-only-not-secret python manage.py compilemessages \
 && DJANGO_SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /app/var && chown portal:portal /app/var

USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py migrate --database archive --noinput && exec gunicorn nexcore_support.wsgi --bind 0.0.0.0:${PORT} --workers 3"]
