from tests.support.api_replay import replay, working_db  # noqa: F401 (fixtures)
