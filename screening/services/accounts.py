"""People: user accounts made by site staff, and the API tokens that stand for them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..access import as_aware, columns
from ..errors import Conflict, InvalidInput
from ..models import ApiToken
from .audit import audit_record

User = get_user_model()


@transaction.atomic
def user_create(
    *, username: str, password: str, email: str = "", actor: AbstractBaseUser | None
) -> AbstractBaseUser:
    """A new user account (made by site staff)."""
    username = username.strip()
    if not username:
        raise InvalidInput("A username is required.", field="username")
    if not password:
        raise InvalidInput("A password is required.", field="password")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"The username {username!r} is taken.", field="username")
    user = User.objects.create_user(username=username, password=password, email=email)
    audit_record(actor=actor, verb="user.create", obj=user, after={"username": username})
    return user


def token_issue(*, user: AbstractBaseUser, name: str = "") -> str:
    """A new API token for the user; only its hash is kept, so this is the one time it is seen."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=token_hash(raw), prefix=raw[:8], name=name)
    return raw


def token_hash(raw: str) -> str:
    # A token has 256 random bits, so a fast unsalted hash is enough (no password-style KDF).
    return hashlib.sha256(raw.encode()).hexdigest()


# Every API call asks this first, so it is one query written out, cheaper than the ORM's
# select_related (benchmarks/RESULTS.md). `raw` converts the user's columns as the ORM would; the
# token's two come alongside.
_TOKEN_USER_SQL = (
    f"SELECT {columns(User, 'u')}, t.id AS token_id, t.last_used_at AS token_last_used_at "  # noqa: S608 - names from the models
    f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
    "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"
)


def token_user(raw: str) -> AbstractBaseUser | None:
    """The active user a token belongs to, or None for an unknown or revoked token."""
    user = next(iter(User.objects.raw(_TOKEN_USER_SQL, [token_hash(raw)])), None)
    if user is None:
        return None
    last_used_at = as_aware(user.token_last_used_at)
    now = timezone.now()
    # Touch last_used_at at most once a minute: a hot API path should not write on every call.
    if last_used_at is None or now - last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
    return user


def token_revoke(*, raw: str) -> bool:
    """Revoke a token; True when there was an active one."""
    return bool(
        ApiToken.objects.filter(key_hash=token_hash(raw), revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )
