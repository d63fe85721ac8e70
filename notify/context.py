"""Template context for the notification bell in the base template."""

from notify import selectors


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notify_unread": selectors.unread_count(user=user), "notify_last_id": selectors.last_id(user_id=user.pk)}
