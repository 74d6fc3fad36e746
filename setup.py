"""Builds the optional compiled filter scan (src/consentry/redaction/_native.cpp).

Everything else is configured in pyproject.toml. The extension needs a C++17
compiler and RE2's headers (Debian: ``libre2-dev``); where either is missing the
build prints a warning and consentry installs without it, filtering in Python.
"""

from pybind11.setup_helpers import Pybind11Extension
from setuptools import setup

setup(
    ext_modules=[
        Pybind11Extension(
            "consentry.redaction._native",
            ["src/consentry/redaction/_native.cpp"],
            libraries=["re2"],
            cxx_std=17,
            optional=True,
        )
    ]
)
