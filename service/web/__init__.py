"""The web layer: the Flask app factory (``app.create_app``) and everything that speaks HTTP.

- ``api/``: the JSON API under /api/v1; ``moderate/``: the workbench; ``perspective/`` and ``coral``: the
  integrations; ``openapi``: the document that describes them.
- ``context``: what a request reaches (services, its one session); ``errors``: the one JSON error shape;
  ``validation``: request bodies and query strings.
- ``limits``, ``site_keys``, ``cors``: declared at the views, attached by the factory; ``logs``: JSON logs.
"""
