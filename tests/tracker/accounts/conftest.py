from tests.browser import browser_context_args, browser_type_launch_args, console_errors  # noqa: F401
from tests.tracker.workflow.conftest import (  # noqa: F401  (shared fixtures)
    _clear_cache,
    administrator,
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
