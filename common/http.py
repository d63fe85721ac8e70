"""The JSON edge of ``AppError``: one response shape for every JSON endpoint."""

from __future__ import annotations

from functools import wraps

from django.http import Http404, JsonResponse

from common.errors import NOT_FOUND, AppError


def error_response(error: AppError) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.status)


def json_errors(view):
    """Turn an ``AppError`` (or ``Http404``) raised by ``view`` into its JSON response."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AppError as error:
            return error_response(error)
        except Http404:
            return error_response(AppError(NOT_FOUND))

    return wrapped
