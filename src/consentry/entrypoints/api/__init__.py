"""The HTTP API of SPEC §3: :func:`consentry.entrypoints.api.app.create_app` builds it,
:func:`consentry.entrypoints.api.server.serve` runs it under uvicorn."""
