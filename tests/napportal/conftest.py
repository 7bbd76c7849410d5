from tests.tracker.workflow.conftest import (  # noqa: F401  (the workflow world's users)
    _clear_cache,
    analyst,
    client_as,
    client_as_enrolled,
    make_user,
    reporter,
    reviewer,
    world,
)
