from tests.settings.startup import manage, production_env  # noqa: F401 (fixtures)
