"""Use cases: the one implementation the HTTP API, the web pages and the CLI all call."""
