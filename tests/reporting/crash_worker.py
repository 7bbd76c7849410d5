"""The Celery app for the worker-crash test, run as a real `celery worker` subprocess.

With NAP_TEST_PAUSE_FILE set, a build pauses right after its files are staged (before publication) and
writes that file, so the test can SIGKILL the worker at the worst moment. Redis hands an unacknowledged
message to another worker once its visibility timeout passes: the test shortens it to seconds.
"""

import os
import time
from pathlib import Path
from typing import Any

from celery.signals import worker_ready

from napportal.celery import app

app.conf.broker_transport_options = {
    # Short, so that Redis redelivers the killed build (test_worker); the fault tests make it long, so that
    # only the edition sweep can rescue it.
    "visibility_timeout": int(os.environ.get("NAP_TEST_VISIBILITY_TIMEOUT", "3")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


def _pause_after_staging(directory: Path, **kwargs: Any) -> None:
    flag = os.environ.get("NAP_TEST_PAUSE_FILE")
    if flag:
        Path(flag).write_text(str(directory))
        time.sleep(120)  # the test kills the worker long before this ends


@worker_ready.connect
def _install_pause(**kwargs: Any) -> None:
    from reporting.services import edition_staged

    edition_staged.connect(_pause_after_staging, weak=False)


__all__ = ["app"]
