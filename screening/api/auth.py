"""Bearer-token authentication for the API."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja.security import HttpBearer

from .services import token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        user = token_user(token)
        if user is not None:
            request.user = user
            request.api_token = token
        return user
