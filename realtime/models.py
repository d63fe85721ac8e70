"""Models of the realtime app (Django finds them here)."""

from realtime.chat.models import Message, MessageRevision, MessageStatus, PostPolicy, Room, RoomState

__all__ = ["Message", "MessageRevision", "MessageStatus", "PostPolicy", "Room", "RoomState"]
