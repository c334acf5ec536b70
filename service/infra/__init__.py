"""Infrastructure: the database (engines, sessions, migrations, tables) and the broker (Celery configuration,
task names, the scoring outbox). Imports service.config and nothing else of the service; no Flask.
"""
