"""The baseline: the Channels tutorial chat, served by Daphne.

One ``AsyncWebsocketConsumer`` per socket; each joins the room's group on
connect and every message is one ``group_send``; ``RedisChannelLayer`` with
its defaults (capacity 100, expiry 60 s); no database, no persistence.
"""
