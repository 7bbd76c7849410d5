from tests.tracker.workflow.conftest import (  # noqa: F401  (the workflow world's users, for the security tests)
    _clear_cache,
    make_user,
    reporter,
    reviewer,
    world,
)
