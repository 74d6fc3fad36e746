"""The rules of SPEC.md as pure functions of plain values and a clock.

Nothing in this package imports a web framework, an ORM or a CLI library
(`tests/unit/test_architecture.py` enforces it). Each decision returns its
reasons, so the API, the audit and `explain` can say *why*.
"""
