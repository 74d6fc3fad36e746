"""Request dependencies: the core, the metrics, and who is calling.

``CurrentAccount`` is the live account behind an account token (401 otherwise);
``ServiceCaller`` the live service token of the assistant's backend (issue 17).
``Admin`` passes only the configured admin token, compared in constant time; with no
admin token configured every admin path answers 401, and an account token on an admin
path answers 403 ``forbidden`` (the caller is known, just not allowed).

Every presented credential that fails counts against the client address; an address
over its allowance answers 429 ``rate_limited`` before its credential is looked at
(:mod:`consentry.entrypoints.ratelimit`, issue 17 item 4).
"""

from __future__ import annotations

import hmac
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from consentry.bootstrap import App
from consentry.domain.errors import ConsentryError, Forbidden, Unauthenticated
from consentry.entrypoints.api.metrics import ApiMetrics
from consentry.entrypoints.api.workers import in_worker
from consentry.entrypoints.ratelimit import AbuseGuards
from consentry.service import accounts, gpc, service_tokens
from consentry.service.records import AccountRecord, ServiceTokenRecord

_bearer = HTTPBearer(
    auto_error=False,
    description="An account token from sign-up, or the admin token on /v1/admin paths.",
)
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def get_core(request: Request) -> App:
    return cast(App, request.app.state.core)


async def get_metrics(request: Request) -> ApiMetrics:
    return cast(ApiMetrics, request.app.state.metrics)


async def get_guards(request: Request) -> AbuseGuards:
    return cast(AbuseGuards, request.app.state.guards)


Core = Annotated[App, Depends(get_core)]
Metrics = Annotated[ApiMetrics, Depends(get_metrics)]
Guards = Annotated[AbuseGuards, Depends(get_guards)]


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("an 'Authorization: Bearer <token>' header is required")
    return credentials.credentials


async def bearer_token(credentials: Bearer) -> str:
    """The presented bearer token, unchecked (401 when there is none); for a route that
    looks it up itself with :func:`account_of` in the same worker thread as its work."""
    return _token(credentials)


BearerToken = Annotated[str, Depends(bearer_token)]


_AUTHENTICATES_ITSELF = "_consentry_authenticates_itself"
_Endpoint = TypeVar("_Endpoint", bound=Callable[..., object])
T = TypeVar("T")


def authenticates_itself(endpoint: _Endpoint) -> _Endpoint:
    """Mark a route that looks its bearer token up itself, inside its own work (the
    message append, issue 22). FastAPI judges its body before that lookup runs, so
    :func:`refusal_before_validation` gives its invalid bodies the 401 every other route
    gives a wrong token first."""
    setattr(endpoint, _AUTHENTICATES_ITSELF, True)
    return endpoint


async def refusal_before_validation(
    request: Request, errors: Sequence[Any] = ()
) -> ConsentryError | None:
    """For a body FastAPI found invalid (`errors`) on a route that looks its token up
    itself: the refusal its token gets (401, or 429 for an address over its allowance,
    the failure counted as on every route), or None when the token is live or the route
    authenticates through its dependencies (which ran before the body was judged).

    A route of :func:`account_route` gets what its ``CurrentAccount`` dependency gave:
    a body that is not JSON at all was refused before dependencies ran (None), and a live
    token's `Sec-GPC: 1` is honoured (P5) before the 422."""
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    as_dependency = getattr(endpoint, _ACCOUNT_ROUTE, False)
    if not (as_dependency or getattr(endpoint, _AUTHENTICATES_ITSELF, False)):
        return None
    if as_dependency and any(error.get("type") == "json_invalid" for error in errors):
        return None
    core = cast(App, request.app.state.core)
    guards = cast(AbuseGuards, request.app.state.guards)
    credentials = await _bearer(request)

    def check() -> None:
        token = _token(credentials)
        if as_dependency:
            account_of(core, token, guards, request)
            return
        guards.before_auth(request)
        try:
            accounts.authenticate(core.ctx, token)
        except Unauthenticated:
            guards.auth_failed(request)
            raise

    try:
        await run_in_threadpool(check)
    except ConsentryError as refused:
        return refused
    return None


def current_account(
    core: Core, credentials: Bearer, guards: Guards, request: Request
) -> AccountRecord:
    """The live account the bearer token belongs to (R15: dead after account deletion),
    after its `Sec-GPC: 1` signal is honoured as the policy says (P5)."""
    return account_of(core, _token(credentials), guards, request)


def account_of(core: App, token: str, guards: AbuseGuards, request: Request) -> AccountRecord:
    """What :func:`current_account` answers, for a token already taken from the header.
    Blocking (database): call it from a worker thread."""
    guards.before_auth(request)
    try:
        account = accounts.authenticate(core.ctx, token)
    except Unauthenticated:
        guards.auth_failed(request)
        raise
    return gpc.honour(core.ctx, account, gpc.signal(request.headers.get("sec-gpc")))


def require_admin(core: Core, credentials: Bearer, guards: Guards, request: Request) -> None:
    token = _token(credentials)
    expected = core.settings.admin_token
    if expected is None:
        raise Unauthenticated("the admin API is disabled: no admin token is configured")
    guards.before_auth(request)
    if hmac.compare_digest(token.encode(), expected.encode()):
        return
    try:
        accounts.authenticate(core.ctx, token)
    except Unauthenticated:
        guards.auth_failed(request)
        raise Unauthenticated("invalid admin token") from None
    raise Forbidden("this path needs the admin token; account tokens are not accepted")


def current_service(
    core: Core, credentials: Bearer, guards: Guards, request: Request
) -> ServiceTokenRecord:
    """The live service token calling (issue 17 item 7); an account token is known but not
    allowed here (403), anything else is 401 and counts as a failed authentication."""
    token = _token(credentials)
    guards.before_auth(request)
    try:
        return service_tokens.authenticate_service(core.ctx, token)
    except Unauthenticated:
        pass
    try:
        accounts.authenticate(core.ctx, token)
    except Unauthenticated:
        guards.auth_failed(request)
        raise Unauthenticated("invalid service token") from None
    raise Forbidden("this path needs a service token; account tokens are not accepted")


CurrentAccount = Annotated[AccountRecord, Depends(current_account)]


@dataclass(frozen=True)
class Caller:
    """The bearer of an account token, not looked up yet: what an :func:`account_route`
    route that names ``me: Caller`` gets, to look the token up inside its own work."""

    token: str
    core: App
    guards: AbuseGuards
    request: Request

    def account(self) -> AccountRecord:
        return account_of(self.core, self.token, self.guards, self.request)

    def acting(self, by_token: Callable[[str], T], by_account: Callable[[AccountRecord], T]) -> T:
        """``by_token(token)``: work that looks the token up in its own transaction (one
        transaction instead of two, issue 22), with the abuse guard and the failure
        count of :func:`account_of`. A request with `Sec-GPC: 1` takes
        ``by_account(account)`` after :func:`account_of`: its opt-out (P5) commits first."""
        if gpc.signal(self.request.headers.get("sec-gpc")):
            return by_account(self.account())
        self.guards.before_auth(self.request)
        try:
            return by_token(self.token)
        except Unauthenticated:
            self.guards.auth_failed(self.request)
            raise


_ACCOUNT_ROUTE = "_consentry_account_route"
_REQUEST = "consentry_request_"


def account_route(endpoint: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """A ``def`` route taking ``me: CurrentAccount`` as one ``async`` route whose token
    lookup and work share **one** worker thread (issue 22): FastAPI sees ``me`` as the
    bare bearer credentials (the same security in the OpenAPI document) and no ``Core``
    dependency (the route passes the application's core), and the route then runs
    :func:`account_of` and `endpoint` in one :func:`~.workers.in_worker` call, instead
    of a hand-off to anyio's pool for the dependency, another for the route and a third
    to validate its answer. Answers, refusals and their order stay as they were: no
    token is 401 before the work, and an invalid body's token is judged first by
    :func:`refusal_before_validation`."""
    signature = inspect.signature(endpoint, eval_str=True)
    if "me" not in signature.parameters:
        raise TypeError(f"{endpoint.__name__} takes no 'me' parameter")
    by_caller = signature.parameters["me"].annotation is Caller
    cores = [p.name for p in signature.parameters.values() if p.annotation is Core]
    parameters = [
        p.replace(annotation=Bearer) if p.name == "me" else p
        for p in signature.parameters.values()
        if p.name not in cores
    ]
    given = [p.name for p in parameters if p.annotation is Request]
    if not given:
        parameters.append(
            inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
        )

    async def route(**values: Any) -> T:
        token = _token(values.pop("me"))
        request = values[given[0]] if given else values.pop(_REQUEST)
        core = cast(App, request.app.state.core)
        guards = cast(AbuseGuards, request.app.state.guards)
        values.update((name, core) for name in cores)

        def work() -> T:
            if by_caller:
                return endpoint(**values, me=Caller(token, core, guards, request))
            return endpoint(**values, me=account_of(core, token, guards, request))

        return await in_worker(work)

    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(route, name, getattr(endpoint, name))
    route.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    setattr(route, _ACCOUNT_ROUTE, True)
    return route


ServiceCaller = Annotated[ServiceTokenRecord, Depends(current_service)]
Admin = Annotated[None, Depends(require_admin)]
