from tests.tracker.workflow.conftest import (  # noqa: F401  (the workflow world's users)
    _clear_cache,
    make_user,
    reporter,
    reviewer,
    world,
)
