"""Channels: one module each, one small contract (:class:`channels.base.Channel`).

The list below is written by hand, like Rasa's built-in channels: adding a channel costs one
module, one line here and one test file.
"""

from .base import (
    Channel,
    ChannelName,
    DeliveryReport,
    InboundEvent,
    InboundMessage,
    MalformedRequest,
    OutboundMessage,
    PermanentSendError,
    ProviderRequest,
    TransientSendError,
    UncertainSendError,
)
from .email import EmailChannel, EmailSettings
from .sms import SmsChannel, SmsSettings
from .telegram import TelegramChannel, TelegramSettings
from .whatsapp import WhatsAppChannel, WhatsAppSettings

# (channel class, its settings class), in the order they are reported at start.
CHANNELS = (
    (EmailChannel, EmailSettings),
    (SmsChannel, SmsSettings),
    (TelegramChannel, TelegramSettings),
    (WhatsAppChannel, WhatsAppSettings),
)

__all__ = [
    "CHANNELS",
    "Channel",
    "ChannelName",
    "DeliveryReport",
    "EmailChannel",
    "EmailSettings",
    "InboundEvent",
    "InboundMessage",
    "MalformedRequest",
    "OutboundMessage",
    "PermanentSendError",
    "ProviderRequest",
    "SmsChannel",
    "SmsSettings",
    "TelegramChannel",
    "TelegramSettings",
    "TransientSendError",
    "UncertainSendError",
    "WhatsAppChannel",
    "WhatsAppSettings",
]
