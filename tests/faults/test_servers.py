"""The fault tests cannot pass by being skipped where they are required: ``.ci/run`` requires them."""

from pathlib import Path

import pytest

from tests.faults.servers import missing_program

REPO = Path(__file__).resolve().parents[2]


def test_a_missing_server_program_skips_locally_and_fails_where_required(monkeypatch):
    monkeypatch.delenv("NAP_FAULT_TESTS_REQUIRED", raising=False)
    with pytest.raises(pytest.skip.Exception):
        missing_program("redis-server is not installed")
    monkeypatch.setenv("NAP_FAULT_TESTS_REQUIRED", "1")
    with pytest.raises(pytest.fail.Exception, match="NAP_FAULT_TESTS_REQUIRED"):
        missing_program("redis-server is not installed")


def test_ci_requires_the_fault_tests():
    script = (REPO / ".ci" / "run").read_text()
    assert script.index("export NAP_FAULT_TESTS_REQUIRED=1") < script.rindex("make test")
