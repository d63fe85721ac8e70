"""Live notifications: a persistent inbox per user, pushed to every open tab
through the ``notify.<user id>`` topic, with per-kind preferences and e-mail
digests. Every trigger in the codebase goes through ``notification_send``."""
