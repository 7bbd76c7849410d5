from tests.tracker.workflow.conftest import (  # noqa: F401  (shared fixtures)
    _clear_cache,
    analyst,
    client_as,
    client_as_enrolled,
    make_user,
    reporter,
    reviewer,
    world,
)
