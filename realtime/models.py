"""Models of the realtime app (Django finds them here)."""

from realtime.chat.models import Message, MessageRevision, MessageStatus, PostPolicy, Room, RoomState
from realtime.notify.models import Announcement, Notification, NotificationPreference

__all__ = ["Announcement", "Message", "MessageRevision", "MessageStatus", "Notification", "NotificationPreference",
           "PostPolicy", "Room", "RoomState"]
