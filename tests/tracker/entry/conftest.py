from tests.browser import browser_context_args, browser_type_launch_args, console_errors  # noqa: F401
from tests.tracker.api.conftest import _responsibilities, api_as, token_for  # noqa: F401
from tests.tracker.workflow.conftest import (  # noqa: F401
    _clear_cache,
    analyst,
    audit_rows,
    client_as,
    client_as_enrolled,
    make_obs,
    make_user,
    other_reporter,
    reporter,
    reviewer,
    world,
)
