"""Page views not owned by a single app."""

from django.shortcuts import render


def home(request):
    return render(request, "frontend/home.html")
