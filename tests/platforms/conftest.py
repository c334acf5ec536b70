"""The service's fixtures (a migrated SQLite file, the app, its client, the seed model) for integration tests."""

from tests.service.conftest import (  # noqa: F401  (fixtures, used by name)
    app,
    app_config,
    client,
    database_url,
    session,
    sessions,
    trained_bundle,
    with_model,
)
