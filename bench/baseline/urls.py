"""The baseline serves no HTTP pages."""

urlpatterns: list = []
