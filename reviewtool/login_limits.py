"""What a login refused for too many failures answers (django-axes' AXES_LOCKOUT_CALLABLE).

The login page shows its form again with the message as the form's error; the JSON API answers
429 with {"detail"}. Either says when to try again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from screening.services.accounts import login_lockout_message

STATUS = 429


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    message = login_lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=STATUS)
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    wanted = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout": message, "next": wanted if safe else ""},
        status=STATUS,
    )
