"""Types of the compiled scan (_native.cpp); see native.py."""

from collections.abc import Callable, Sequence

from .model import Finding

class Engine:
    def __init__(
        self,
        specs: Sequence[tuple[object, ...]],
        tables: dict[str, object],
        jwt_header_ok: Callable[[bytes], bool],
        finding: type[Finding],
    ) -> None: ...
    def candidates(self, data: bytes) -> list[tuple[int, int, str, int]]: ...
    def findings(self, data: bytes, is_ascii: bool) -> tuple[Finding, ...]: ...
    def redact(self, data: bytes, is_ascii: bool) -> tuple[str | None, tuple[Finding, ...]]: ...
