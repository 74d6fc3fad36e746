"""Ways into consentry: the HTTP API, the web pages and the command line.

Each is thin: it parses input, calls a use case in :mod:`consentry.service`, and
renders the result. No rule of the spec is decided here.
"""
