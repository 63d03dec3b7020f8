"""The HTTP side: provider webhooks and the health check, as a Starlette app.

Every webhook follows the same order: refuse what is not genuine (403), refuse what cannot be
read (400), store, acknowledge, and only then run the flow. A sender we do not know still
gets 200, so the provider does not retry.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from twilio.twiml.messaging_response import MessagingResponse

from channels.base import ChannelName, MalformedRequest, ProviderRequest
from channels.sms import DELIVERY_ERROR_CODES, PERMANENT_DELIVERY_CODES, SmsChannel
from channels.whatsapp import (
    WHATSAPP_DELIVERY_ERROR_CODES,
    WHATSAPP_PERMANENT_DELIVERY_CODES,
    WhatsAppChannel,
    is_whatsapp,
)
from storage.db import transaction
from storage.models import OutboxStatus
from storage.outbox import flag_contact_point_of, record_delivery_report

from .services import Services
from .web import workspace_app
from .web.unsubscribe import unsubscribe_routes

log = logging.getLogger(__name__)

_REPORT_STATUSES = {
    "sent": OutboxStatus.SENT,
    "delivered": OutboxStatus.DELIVERED,
    "undelivered": OutboxStatus.UNDELIVERED,
    "failed": OutboxStatus.FAILED,
}

# What each Twilio channel's delivery error codes mean, and which say the address can never
# be reached: SMS and WhatsApp share the webhooks.
_TWILIO_ERRORS = {
    ChannelName.SMS: (DELIVERY_ERROR_CODES, PERMANENT_DELIVERY_CODES),
    ChannelName.WHATSAPP: (WHATSAPP_DELIVERY_ERROR_CODES, WHATSAPP_PERMANENT_DELIVERY_CODES),
}


def create_app(services: Services) -> Starlette:
    async def healthz(request: Request) -> Response:
        channels = {
            name.value: "on" if name in services.channels else "off" for name in ChannelName
        }
        try:
            async with services.health_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check: the database did not answer")
            return JSONResponse(
                {"status": "unavailable", "database": "down", "channels": channels}, 503
            )
        return JSONResponse({"status": "ok", "database": "ok", "channels": channels})

    async def telegram_webhook(request: Request) -> Response:
        return await _receive(request, ChannelName.TELEGRAM, Response(status_code=200))

    async def sms_inbound(request: Request) -> Response:
        # Replies go through the outbox, never in the webhook answer: an empty TwiML response.
        twiml = Response(str(MessagingResponse()), media_type="text/xml")
        provider_request = await _provider_request(request)
        return await _accept(provider_request, _twilio_channel(provider_request), twiml)

    async def sms_status(request: Request) -> Response:
        provider_request = await _provider_request(request)
        name = _twilio_channel(provider_request)
        channel = services.channels.get(name)
        if not isinstance(channel, SmsChannel | WhatsAppChannel):
            return PlainTextResponse(f"The {name} channel is off.", 404)
        if not channel.is_genuine(provider_request):
            log.warning("%s status callback refused: bad signature", name)
            return PlainTextResponse("Forbidden", 403)
        try:
            report = channel.parse_status(provider_request)
        except MalformedRequest as error:
            return PlainTextResponse(f"Bad request: {error}", 400)
        status = _REPORT_STATUSES.get(report.status) if report is not None else None
        if report is not None and status is not None:
            error_text = None
            meanings, permanent_codes = _TWILIO_ERRORS[name]
            if report.error_code:
                meaning = meanings.get(report.error_code, "no description")
                error_text = f"Twilio {report.error_code}: {meaning}"
            async with transaction(services.sessions) as session:
                applied = await record_delivery_report(
                    session,
                    name,
                    report.provider_id,
                    status,
                    error_text,
                    outbox_id=report.outbox_id,
                    now=services.clock.now(),
                )
                if applied and error_text and report.error_code in permanent_codes:
                    await flag_contact_point_of(
                        session,
                        name,
                        report.provider_id,
                        error_text,
                        services.clock.now(),
                    )
            if not applied and report.status != "sent":
                log.info("status %s for a %s message we cannot match; ignored", report.status, name)
        return Response(status_code=200)

    async def _receive(request: Request, name: ChannelName, answer: Response) -> Response:
        return await _accept(await _provider_request(request), name, answer)

    async def _accept(
        provider_request: ProviderRequest, name: ChannelName, answer: Response
    ) -> Response:
        channel = services.channels.get(name)
        if channel is None:
            return PlainTextResponse(f"The {name} channel is off.", 404)
        if not channel.is_genuine(provider_request):
            log.warning("%s webhook refused: missing or wrong signature", name)
            return PlainTextResponse("Forbidden", 403)
        try:
            messages = channel.parse(provider_request)
        except MalformedRequest as error:
            log.info("%s webhook: malformed request: %s", name, error)
            return PlainTextResponse(f"Bad request: {error}", 400)
        for message in messages:
            inbound_id = await services.inbound.accept(message)
            if inbound_id is not None:
                services.inbound.process_later(inbound_id, message)
        return answer

    async def _provider_request(request: Request) -> ProviderRequest:
        return ProviderRequest(
            body=await _body_within(request, services.settings.max_request_bytes),
            received_at=services.clock.now(),
            url=_signed_url(request, services.settings.public_url),
            headers={key.lower(): value for key, value in request.headers.items()},
        )

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/telegram/webhook", telegram_webhook, methods=["POST"]),
            Route("/sms/inbound", sms_inbound, methods=["POST"]),
            Route("/sms/status", sms_status, methods=["POST"]),
            *unsubscribe_routes(services),
            Route("/lead", lambda request: RedirectResponse("/lead/", 308)),
            Mount("/lead", app=workspace_app(services)),
        ],
        exception_handlers={BodyTooLarge: _too_large},
    )


class BodyTooLarge(Exception):
    """The request body is over COPRODUCE_MAX_REQUEST_BYTES."""


async def _body_within(request: Request, limit: int) -> bytes:
    """The body, read only as far as ``limit``: a stranger cannot make us hold a huge one."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _too_large(request: Request, error: Exception) -> Response:
    log.info("%s: request body over the limit; refused", request.url.path)
    return PlainTextResponse("Request body too large", 413)


def _twilio_channel(request: ProviderRequest) -> ChannelName:
    """Twilio posts SMS and WhatsApp to the same webhooks; WhatsApp numbers carry a prefix."""
    return ChannelName.WHATSAPP if is_whatsapp(request) else ChannelName.SMS


def _signed_url(request: Request, public_url: str | None) -> str:
    """The URL as the provider called it: behind a proxy, the public URL, not ours."""
    if not public_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return public_url.rstrip("/") + request.url.path + query
