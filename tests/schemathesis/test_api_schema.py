"""schemathesis against the generated OpenAPI schema, over HTTP to a live server, with a personal token per role.

Acceptance (issue 6): no server error and no failed check across all operations. The run is bounded
(few examples per operation, no stateful phase) so that it stays well under two minutes on two cores.
"""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from schemathesis.engine import events

from apikeys.services import api_token_create
from tests.tracker.workflow.conftest import enrol_totp
from tracker.accounts.factors import meets_mfa_requirement
from tracker.choices import BodyKind, ItemCategory, ObservationState, ResponsibilityRole, Role, Unit
from tracker.models import (
    AgendaItem,
    Body,
    Framework,
    Indicator,
    Membership,
    Observation,
    Responsibility,
    Source,
    UserRole,
)

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "ignored_auth",
    "negative_data_rejection",
]
MAX_EXAMPLES = 10


def _seed_world_matching_the_examples() -> dict[str, object]:
    """Objects with the slugs the schema's examples use, so example requests reach real objects."""
    nap = Framework.objects.create(slug="nap-2014", title="National Action Plan 2014", short_title="NAP 2014")
    item = AgendaItem.objects.create(framework=nap, number=1, title="Executions", category=ItemCategory.KINETIC)
    nacta = Body.objects.create(slug="nacta", name="NACTA", short_name="NACTA", kind=BodyKind.FEDERAL_AGENCY)
    punjab = Body.objects.create(slug="punjab", name="Punjab", short_name="Punjab", kind=BodyKind.PROVINCE)
    Responsibility.objects.create(item=item, body=punjab, role=ResponsibilityRole.SUPPORTING)
    indicator = Indicator.objects.create(item=item, code="nap14-01-executions", name="Executions", unit=Unit.COUNT)
    source = Source.objects.create(slug="nacta-status-2017-10", publisher=nacta, title="Status report")
    for state in ObservationState.values:
        Observation.objects.create(
            indicator=indicator,
            body=punjab,
            period_end=date(2017, 10, 1),
            value=Decimal(100),
            source=source,
            state=state,
        )
    return {"punjab": punjab}


def _token(role: str, bodies: list[Body]) -> str:
    from django.contrib.auth import get_user_model

    email = f"{role}@schemathesis.example.org"
    user = get_user_model().objects.create_user(username=email, email=email, password="x" * 16)
    UserRole.objects.create(user=user, role=role)
    for body in bodies:
        Membership.objects.create(user=user, body=body)
    if not meets_mfa_requirement(user):
        enrol_totp(user)
    return api_token_create(actor=user, user=user, name="schemathesis")[1]


@pytest.fixture
def api_server(transactional_db) -> Iterator[str]:
    """A real HTTP server in one thread with one persistent database connection, on the test database.

    pytest-django's ``live_server`` starts a thread, and so a new PostgreSQL connection, per request: ten times
    slower for the thousands of requests below. (schemathesis' in-process WSGI transport passes an argument the
    installed werkzeug test client does not accept, so the run goes over HTTP.)
    """
    settings_dict = connections["default"].settings_dict
    old_max_age = settings_dict["CONN_MAX_AGE"]
    settings_dict["CONN_MAX_AGE"] = None
    thread = _SingleThreadLiveServer("localhost", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://{thread.host}:{thread.port}"
    finally:
        thread.terminate()
        settings_dict["CONN_MAX_AGE"] = old_max_age


class _SingleThreadWSGIServer(WSGIServer):
    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class _SingleThreadLiveServer(LiveServerThread):
    server_class = _SingleThreadWSGIServer


@pytest.mark.parametrize("role", Role.values)
def test_api_conforms_to_its_schema(role, api_server, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # editions requested by the run are built (eagerly) here
    world = _seed_world_matching_the_examples()
    token = _token(role, [world["punjab"]] if role == Role.REPORTER else [])  # type: ignore[list-item]
    config = schemathesis.Config.from_dict(
        {
            "seed": 2014,
            "workers": 1,
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
            "phases": {
                "examples": {"enabled": True},
                # Deterministic boundary and negative values for every parameter: the slow phase, so it runs
                # for the two roles that write observations; the others get examples and random data.
                "coverage": {
                    "enabled": role in (Role.REPORTER, Role.REVIEWER),
                    "unexpected-methods": [],
                    "generate-duplicate-query-parameters": False,
                },
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )
    schema = schemathesis.openapi.from_url(
        f"{api_server}/api/schema/", config=config, headers={"Authorization": f"Bearer {token}"}
    )
    failures: list[str] = []
    scenarios = cases = 0
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            scenarios += 1
            cases += len(event.recorder.cases)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status.name == "FAILURE":
                        case = event.recorder.cases[case_id].value
                        info = check.failure_info
                        message = f"{info.failure.title}: {info.failure.message}"[:600] if info else ""
                        response = event.recorder.find_response(case_id=case_id)
                        answer = f"{response.status_code} {response.text[:300]}" if response else ""
                        failures.append(
                            f"{event.recorder.label} [{check.name}] {message}\n    {case.as_curl_command()[:400]}"
                            f"\n    -> {answer}"
                        )
        elif isinstance(event, events.NonFatalError):
            failures.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    assert scenarios > 0 and cases > 200  # the run really exercised the API
    assert failures == [], "\n".join(failures[:40])
