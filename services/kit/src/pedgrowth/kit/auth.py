"""Bearer tokens with a role and a scope, signed (HS256) so every service verifies them offline."""

from __future__ import annotations

import enum
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

ISSUER = "pedgrowth"
log = logging.getLogger(__name__)


class Role(enum.StrEnum):
    """Who is asking; the scope attribute each role needs is in SCOPE_CLAIM."""

    SCHOOL_SYSTEM = "school_system"
    MUNICIPAL_OPERATOR = "municipal_operator"
    REGIONAL_ANALYST = "regional_analyst"
    ADMIN = "admin"


SCOPE_CLAIM = {
    Role.SCHOOL_SYSTEM: "org_id",
    Role.MUNICIPAL_OPERATOR: "municipality_id",
    Role.REGIONAL_ANALYST: "region_id",
}


@dataclass(frozen=True)
class Principal:
    """The verified caller: role plus the organisation, municipality and region it acts for."""

    subject: str
    role: Role
    org_id: str | None = None
    municipality_id: str | None = None
    region_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def can_write(self) -> bool:
        return self.role is not Role.REGIONAL_ANALYST

    def covers(self, org_id: str | None = None, municipality_id: str | None = None,
               region_id: str | None = None) -> bool:
        """Whether something at this org / municipality / region is within the caller's scope.

        Attributes that are not known (None) are not held against the caller,
        but at least the caller's own level must be known and match.
        """
        if self.is_admin:
            return True
        if self.role is Role.SCHOOL_SYSTEM:
            return org_id is not None and org_id == self.org_id
        if self.role is Role.MUNICIPAL_OPERATOR:
            return municipality_id is not None and municipality_id == self.municipality_id
        return region_id is not None and region_id == self.region_id


class TokenError(ValueError):
    """A token that cannot be trusted."""


DEV_TOKEN_MIN_LENGTH = 32
NUMERIC_CLAIMS = ("exp", "iat", "nbf")
TEXT_CLAIMS = ("iss", "sub", "role", *SCOPE_CLAIM.values())


def check_claim_types(claims: dict) -> None:
    """Times are numbers, names are strings: PyJWT reads ``"exp": "9999999999"`` as a number, we do not."""
    for name in NUMERIC_CLAIMS:
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise TokenError(f"claim {name} must be a number, got {type(value).__name__}")
    for name in TEXT_CLAIMS:
        value = claims.get(name)
        if name in claims and not (isinstance(value, str) and value):
            raise TokenError(f"claim {name} must be a non-empty string, got {type(value).__name__}")


def check_dev_token(dev_token: str | None, environment: str) -> str | None:
    """The dev token if it may be used; ValueError saying why not (the service then refuses to start)."""
    if not dev_token:
        return None
    if environment == "production":
        raise ValueError("PEDGROWTH_DEV_TOKEN is set while PEDGROWTH_ENV=production: unset it "
                         "(issue tokens with `pedgrowth token issue`)")
    if len(dev_token) < DEV_TOKEN_MIN_LENGTH or any(c.isspace() for c in dev_token):
        raise ValueError(f"PEDGROWTH_DEV_TOKEN must be at least {DEV_TOKEN_MIN_LENGTH} characters without "
                         f"spaces (got {len(dev_token)}); make one with "
                         "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    return dev_token


class Tokens:
    """Issues and verifies tokens with one shared secret; the dev token, when set, is an admin."""

    def __init__(self, secret: str | None, dev_token: str | None = None, environment: str = "development"):
        self.secret = secret
        self.dev_token = check_dev_token(dev_token, environment)
        if self.dev_token:
            log.warning("PEDGROWTH_DEV_TOKEN is set: it is accepted as a never-expiring admin token; "
                        "development only (refused when PEDGROWTH_ENV=production)")

    def issue(self, subject: str, role: Role, days: int = 365, **scope: str | None) -> str:
        """A signed token for ``role`` over the given scope attributes."""
        if not self.secret:
            raise TokenError("no token secret configured (PEDGROWTH_TOKEN_SECRET)")
        claim = SCOPE_CLAIM.get(role)
        if claim and not scope.get(claim):
            raise TokenError(f"{claim}: required for role {role.value}")
        now = datetime.now(UTC)
        payload = {"iss": ISSUER, "sub": subject, "role": role.value, "iat": now,
                   "exp": now + timedelta(days=days)}
        payload.update({k: v for k, v in scope.items() if v})
        return jwt.encode(payload, self.secret, algorithm="HS256")

    def verify(self, token: str) -> Principal:
        """The principal a token stands for, or TokenError."""
        if self.dev_token and hmac.compare_digest(token, self.dev_token):
            return Principal(subject="dev", role=Role.ADMIN)
        if not self.secret:
            raise TokenError("token not accepted")
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], issuer=ISSUER,
                                options={"require": ["exp", "sub", "role"]})
            check_claim_types(claims)
            role = Role(claims["role"])
        except (jwt.PyJWTError, ValueError) as error:
            raise TokenError(str(error)) from error
        return Principal(subject=claims["sub"], role=role, org_id=claims.get("org_id"),
                         municipality_id=claims.get("municipality_id"), region_id=claims.get("region_id"))


def new_secret() -> str:
    """A fresh signing secret."""
    return secrets.token_urlsafe(32)


bearer = HTTPBearer(auto_error=False, description="pedgrowth token: `pedgrowth token issue …`")

SESSION_COOKIE = "pedgrowth_session"
"""The browser's session: the token itself, in an HttpOnly SameSite=Strict cookie set by the «Вход» page."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def current_principal(  # asynchronous: a synchronous dependency costs each request a worker-thread hop
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The verified caller of this request (bearer token, else the session cookie); 401 without a valid one."""
    if credentials is not None:
        if credentials.scheme.lower() != "bearer":
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token",
                                headers={"WWW-Authenticate": "Bearer"})
        given = credentials.credentials
    else:
        given = request.cookies.get(SESSION_COOKIE)
        if not given:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token",
                                headers={"WWW-Authenticate": "Bearer"})
        check_same_origin(request)
    try:
        return request.app.state.tokens.verify(given)
    except TokenError as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid token: {error}",
                            headers={"WWW-Authenticate": "Bearer"}) from error


def check_same_origin(request: Request) -> None:
    """A cookie-borne write must come from a page of this very host (CSRF): Origin, else Referer, must match."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if not origin or urlsplit(origin).netloc != request.headers.get("host"):
        raise forbid("a session (cookie) request that changes data must come from a page of this service")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def forbid(reason: str) -> HTTPException:
    """A 403 that says why."""
    return HTTPException(status.HTTP_403_FORBIDDEN, reason)


async def require_writer(principal: CurrentPrincipal) -> Principal:
    """Callers that may change anything (regional analysts read only)."""
    if not principal.can_write:
        raise forbid(f"role {principal.role.value} is read-only")
    return principal


Writer = Annotated[Principal, Depends(require_writer)]
