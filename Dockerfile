# NEXCORE Support Portal: gunicorn serving the site and its static files, as an unprivileged user.
# The base image is pinned by digest and every package is installed from requirements.lock with
# its hash (`make lock` writes it), so that a build installs exactly what was reviewed.
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_VAR_DIR=/app/var \
    PORT=8000

RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 portal

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
# .dockerignore keeps local secrets, databases, the venv, history and the tests out.
COPY . .

# Bytecode compiled here, once: PYTHONDONTWRITEBYTECODE keeps the running container from
# writing it, and without it every command (the daily purge) and worker compiled the project
# from source at start-up. Build-time only key: collectstatic and compilemessages sign nothing.
RUN python -m compileall -q /app \
 && DJANGO_SECRET_KEY=build-only-not-secret python manage.py compilemessages \
 && DJANGO_SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /app/var && chown portal:portal /app/var

USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py migrate --database archive --noinput && exec gunicorn nexcore_support.wsgi --config gunicorn.conf.py --bind 0.0.0.0:${PORT} --workers 3"]
