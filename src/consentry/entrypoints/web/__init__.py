"""Server-rendered web pages over the same use cases as the HTTP API (SPEC §3 "Web pages").

:func:`consentry.entrypoints.web.router.build_router` returns the pages as one
``APIRouter``; the API application includes it. Pages keep no rules of their own: each
handler reads a form, calls one function of :mod:`consentry.service` and renders.
"""
