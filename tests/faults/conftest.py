from tests.reporting.conftest import media_root, nacta_2017, world  # noqa: F401  (the report tests' data)
