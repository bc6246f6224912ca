from tests.petitions.conftest import building, category, relay, submit  # noqa: F401
