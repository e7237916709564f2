"""People: user accounts made by site staff, and the API tokens that stand for them."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import unicodedata

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..access import as_aware, columns
from ..errors import Conflict, InvalidInput, ServiceError
from ..models import ApiToken
from .audit import audit_record

User = get_user_model()


class TokenExpired(ServiceError):
    """A token past API_TOKEN_TTL_DAYS: answered 401, saying so."""

    status = 401


def username_key(username: str) -> str:
    """What two usernames that read the same share: NFKC, then case folded ("ﬁ" is "FI")."""
    return unicodedata.normalize("NFKC", username).casefold()


def _username_taken(username: str) -> bool:
    key = username_key(username)
    # A site has tens or hundreds of people: comparing the folded names here is one short query,
    # and folds as the database's case-insensitive match cannot ("Straße" is "STRASSE").
    return any(
        username_key(name) == key for name in User.objects.values_list("username", flat=True)
    )


def _refused(error: ValidationError, field: str) -> InvalidInput:
    return InvalidInput(" ".join(error.messages), field=field)


# The user-facing way people are made (POST /users). It runs the username field's validators and
# AUTH_PASSWORD_VALIDATORS; `load_demo` and the benchmarks make their fixed people with Django's
# create_user directly, and `createsuperuser` runs the validators itself.
@transaction.atomic
def user_create(
    *, username: str, password: str, email: str = "", actor: AbstractBaseUser | None
) -> AbstractBaseUser:
    """A new user account (made by site staff)."""
    username = User.normalize_username(username.strip())
    if not username:
        raise InvalidInput("A username is required.", field="username")
    if not password:
        raise InvalidInput("A password is required.", field="password")
    username_field = User._meta.get_field(User.USERNAME_FIELD)
    try:
        username_field.clean(username, None)
    except ValidationError as error:
        raise _refused(error, "username") from error
    if _username_taken(username):
        raise Conflict(f"The username {username!r} is taken.", field="username")
    try:
        validate_password(password, user=User(username=username, email=email))
    except ValidationError as error:
        raise _refused(error, "password") from error
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, email=email)
    except IntegrityError as error:  # the same name created at the same moment
        raise Conflict(f"The username {username!r} is taken.", field="username") from error
    audit_record(actor=actor, verb="user.create", obj=user, after={"username": username})
    return user


# The same answer for a name nobody has and for an account that may not be added (a deactivated
# one): a project admin learns nothing about which usernames exist.
def user_to_add(username: str) -> AbstractBaseUser:
    """The user a project admin adds as a member, or the one refusal for every other case."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput(
            "No such user, or one who cannot be added to a project. Check the spelling "
            "with them; site staff create accounts.",
            field="username",
        )
    return user


def login_lockout_message() -> str:
    """What a login refused for too many failures says: when to try again."""
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    until = timezone.now() + settings.AXES_COOLOFF_TIME
    return (
        f"Too many failed logins for this username. Try again in {minutes} "
        f"minute{'s' if minutes != 1 else ''} (after {until:%H:%M} UTC)."
    )


def login_succeeded(*, username: str) -> None:
    """Clear a username's failed logins (the token endpoint; the login page does it itself)."""
    axes_reset(username=username)


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
# token's three come alongside.
_TOKEN_USER_SQL = (
    f"SELECT {columns(User, 'u')}, t.id AS token_id, t.last_used_at AS token_last_used_at, "  # noqa: S608 - names from the models
    "t.created_at AS token_created_at "
    f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
    "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"
)


def token_user(raw: str) -> AbstractBaseUser | None:
    """The active user a token belongs to, or None for an unknown or revoked token; TokenExpired
    for one issued more than API_TOKEN_TTL_DAYS ago."""
    user = next(iter(User.objects.raw(_TOKEN_USER_SQL, [token_hash(raw)])), None)
    if user is None:
        return None
    now = timezone.now()
    ttl_days = settings.API_TOKEN_TTL_DAYS
    if ttl_days > 0:
        expires_at = as_aware(user.token_created_at) + dt.timedelta(days=ttl_days)
        if expires_at <= now:
            raise TokenExpired(
                f"This token expired on {expires_at:%Y-%m-%d %H:%M} UTC; "
                "ask POST /api/v1/auth/token for a new one."
            )
    last_used_at = as_aware(user.token_last_used_at)
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
