"""Moderation of other apps' content: each module registers a target kind,
its queue and the hooks into that app."""
