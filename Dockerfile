# NAP Portal image: one image for the web, worker and beat services of docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=napportal.settings.production \
    DJANGO_STATIC_ROOT=/app/var/static \
    DJANGO_MEDIA_ROOT=/app/var/media

# WeasyPrint lays out PDFs with Pango and HarfBuzz (https://doc.courtbouillon.org/weasyprint/stable/first_steps.html);
# the fonts are embedded in every PDF report.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 shared-mime-info fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# manage.py backup / restore run pg_dump and pg_restore, which must be at least the server's version (PostgreSQL
# 16 in docker-compose.yml); Debian 12 ships 15, so the client comes from the PostgreSQL project's repository
# (https://www.postgresql.org/download/linux/debian/).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl --fail --silent --show-error -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-16 \
    && apt-get purge -y curl && apt-get autoremove -y \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app
# The lock file first, so that a code change does not reinstall the dependencies.
COPY requirements/prod.txt requirements/prod.txt
RUN pip install --require-hashes --no-deps -r requirements/prod.txt

# The code stays owned by root: the app user can read it, not change it.
COPY . .
# collectstatic needs importable production settings, not real services: these values exist only in this step.
RUN DJANGO_SECRET_KEY=build-time-only-collectstatic-key-never-used-at-run-time-000000 \
        DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://localhost:6379/0 \
        python manage.py collectstatic --no-input --verbosity 0 \
    && mkdir -p /app/var/media \
    && chown app:app /app/var/media

USER app
EXPOSE 8000
# Web by default; docker-compose.yml gives the worker and beat their own commands.
CMD ["sh", "-c", "python manage.py migrate_serialized --no-input && exec gunicorn napportal.wsgi --bind 0.0.0.0:8000 --access-logfile -"]
