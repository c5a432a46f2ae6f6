"""HTTP routes the dashboard process serves beside the Streamlit pages (``dashboard.py``).

- ``GET /konto/sitzung?code=…&weiter=…``: redeem a login's one-time code, set the
  session cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS) and redirect back.
- ``GET /konto/abmelden``: drop the cookie and go to the start page (the session itself
  was ended on the server when the user clicked "Abmelden").
- ``GET /kalender/<secret>.ics``: a user's personal deadline calendar, for Outlook,
  Thunderbird or Apple Calendar to subscribe to (``tracker.alerts.feeds``).

Handlers run the library's blocking database calls in a worker thread.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from tracker.access import sessions
from tracker.alerts import feeds
from tracker.storage import DatabaseLockedError

log = logging.getLogger(__name__)
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


async def open_session(request: Request) -> Response:
    target = sessions.local_path(request.query_params.get("weiter"))
    cookie = await run_in_threadpool(sessions.redeem, request.query_params.get("code", ""))
    response = RedirectResponse(target, status_code=303, headers=_NO_STORE)
    if cookie is None:  # used twice, too old, or forged: the page shows the login again
        log.info("session handoff refused")
        return response
    response.set_cookie(sessions.COOKIE_NAME, cookie.value, max_age=cookie.max_age, path="/", httponly=True,
                        samesite="lax", secure=_secure(request))
    return response


async def close_session(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303, headers=_NO_STORE)
    response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


async def calendar(request: Request) -> Response:
    secret = request.path_params["secret"]
    try:
        body = await run_in_threadpool(feeds.calendar_for_secret, secret)
    except DatabaseLockedError:
        return PlainTextResponse("Datenbank belegt, bitte später erneut abrufen.", status_code=503,
                                 headers={"Retry-After": "60"})
    if body is None:  # unknown or revoked: say nothing about which
        return PlainTextResponse("Kalender nicht gefunden.", status_code=404, headers=_NO_STORE)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={**_NO_STORE, "Content-Disposition": 'inline; filename="konsultationsradar.ics"'})


ROUTES = [
    Route(sessions.HANDOFF_PATH, open_session, methods=["GET"]),
    Route(sessions.LOGOUT_PATH, close_session, methods=["GET"]),
    Route(f"{feeds.ROUTE_PREFIX}/{{secret}}.ics", calendar, methods=["GET"]),
]
