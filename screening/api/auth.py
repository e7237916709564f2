"""Who is calling: bearer tokens, and the user accounts site staff create."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from ..services import accounts
from .schemas import Error

router = Router()


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        user = accounts.token_user(token)
        if user is not None:
            request.user = user
            request.api_token = token
        return user


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post(
    "/auth/token", auth=None, response={200: TokenOut, 401: Error, 429: Error}, tags=["auth"]
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, str]]:
    """Exchange a username and password for a bearer token. After LOGIN_FAILURE_LIMIT wrong
    passwords for a username, 429 until LOGIN_LOCKOUT_MINUTES pass, whatever the password; a
    token lasts API_TOKEN_TTL_DAYS."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return Status(429, {"detail": accounts.login_lockout_message()})
    if user is None:
        return Status(401, {"detail": "Wrong username or password."})
    accounts.login_succeeded(username=payload.username)
    return Status(200, {"token": accounts.token_issue(user=user, name="api")})


@router.delete("/auth/token", response={204: None}, tags=["auth"])
def token_delete(request: HttpRequest) -> Status[None]:
    """Revoke the token this request was made with: it answers 401 from then on."""
    accounts.token_revoke(raw=request.api_token)
    return Status(204, None)


class UserIn(Schema):
    username: str
    password: str
    email: str = ""


class UserOut(Schema):
    username: str


@router.post("/users", response={201: UserOut, 403: Error}, tags=["users"])
def user_create(request: HttpRequest, payload: UserIn) -> Status[dict[str, str]]:
    """Create a user account (site staff only). The password must pass the site's password
    validators; a username that reads the same as a taken one (case, compatibility forms) is
    taken."""
    if not request.user.is_staff:
        return Status(403, {"detail": "Only site staff create users."})
    user = accounts.user_create(
        username=payload.username,
        password=payload.password,
        email=payload.email,
        actor=request.user,
    )
    return Status(201, {"username": user.username})
