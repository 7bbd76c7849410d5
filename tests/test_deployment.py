"""The production stack as shipped: docker-compose.yml, the production settings, migrations in step with models.

No Docker engine is needed: `docker compose config` validates and resolves the file on the client side.
"""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {"db", "redis", "web", "worker", "beat"}


def clean_env(**extra: str) -> dict[str, str]:
    """Only what a process needs to run, so nothing from the developer's or CI's shell leaks in."""
    return {"PATH": os.environ["PATH"], "HOME": str(Path.home()), "LANG": "C.UTF-8", **extra}


def secret_key() -> str:
    return secrets.token_urlsafe(50)


def compose_client() -> list[str] | None:
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run([*command, "version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return command
    return None


@pytest.fixture(scope="module")
def compose() -> list[str]:
    command = compose_client()
    if command is None:
        pytest.skip("no docker compose client (docker compose plugin or docker-compose) on this machine")
    return command


def compose_config(compose: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*compose, "--env-file", ".env.example", "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def stack(compose: list[str]) -> dict:
    result = compose_config(compose, DJANGO_SECRET_KEY=secret_key())
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_accepts_the_file_and_defines_the_services(stack):
    # The nightly backup service has a profile of its own: `up` does not start it (config may list it).
    assert set(stack["services"]) - {"backup"} == SERVICES
    assert stack["services"]["db"]["image"] == "postgres:16"
    assert stack["services"]["redis"]["image"] == "redis:7"
    assert {"pgdata", "redisdata", "media"} <= set(stack["volumes"])


@pytest.mark.parametrize("service", ["db", "redis", "web", "worker"])
def test_long_running_services_have_healthchecks(stack, service):
    healthcheck = stack["services"][service]["healthcheck"]
    assert healthcheck["test"] and not healthcheck.get("disable", False)


def test_app_services_wait_for_healthy_dependencies(stack):
    services = stack["services"]
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    # Worker and beat start once web is healthy, i.e. after web has applied the migrations.
    for name in ("worker", "beat"):
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"


def mount(entry: str | dict) -> tuple[str, str]:
    # docker compose v2 prints the long syntax, docker-compose v1 the short one ("media:/app/var/media:rw").
    if isinstance(entry, dict):
        return entry["source"], entry["target"]
    source, target, *_mode = entry.split(":")
    return source, target


def test_web_and_worker_share_only_the_media_volume(stack):
    for name in ("web", "worker"):
        assert [mount(entry) for entry in stack["services"][name]["volumes"]] == [("media", "/app/var/media")]
        assert stack["services"][name]["environment"]["DJANGO_MEDIA_ROOT"] == "/app/var/media"


def test_commands_run_gunicorn_celery_worker_and_database_beat(stack):
    services = stack["services"]
    web = " ".join(services["web"]["command"])
    assert "migrate_serialized" in web and "gunicorn napportal.wsgi" in web
    assert services["worker"]["command"][:4] == ["celery", "-A", "napportal", "worker"]
    beat = services["beat"]["command"]
    assert beat[:4] == ["celery", "-A", "napportal", "beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat


def test_nightly_backup_service_runs_the_backup_command_with_retention(compose):
    result = subprocess.run(
        [*compose, "--env-file", ".env.example", "-f", "docker-compose.yml", "--profile", "backup", "config"],
        cwd=ROOT,
        env=clean_env(DJANGO_SECRET_KEY=secret_key()),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    backup = yaml.safe_load(result.stdout)["services"]["backup"]
    assert backup["command"][:5] == ["python", "manage.py", "backup", "--root", "/backups"]
    assert "--keep" in backup["command"]
    assert ("media", "/app/var/media") in [mount(entry) for entry in backup["volumes"]]
    assert backup["depends_on"]["db"]["condition"] == "service_healthy"


def test_compose_refuses_to_start_without_a_secret_key(compose):
    # .env.example leaves DJANGO_SECRET_KEY empty on purpose.
    result = compose_config(compose)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_web_environment_from_compose_passes_check_deploy(stack):
    environment = {key: str(value) for key, value in stack["services"]["web"]["environment"].items()}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=environment)
    assert result.returncode == 0, result.stdout + result.stderr


# --- Production settings ----------------------------------------------------------------------------------


def production_env(**overrides: str | None) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "napportal.settings.production",
        "DJANGO_SECRET_KEY": secret_key(),
        "DJANGO_ALLOWED_HOSTS": "nap.example.org",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://nap.example.org",
        "DATABASE_URL": "postgres://napportal:secret@db.internal:5432/napportal",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "EMAIL_URL": "smtp+tls://user:password@mail.example.org:587",
    }
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def django_setup(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_import_with_a_complete_environment():
    result = django_setup(production_env())
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"REDIS_URL": None}, "REDIS_URL"),
    ],
    ids=["secret-missing", "secret-empty", "secret-short", "hosts-missing", "database-missing", "redis-missing"],
)
def test_production_settings_refuse_an_incomplete_environment(overrides, named):
    result = django_setup(production_env(**overrides))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_production_settings_refuse_with_an_empty_environment():
    result = django_setup({"DJANGO_SETTINGS_MODULE": "napportal.settings.production"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_passes_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_migrations_match_the_models():
    # Exits non-zero (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
