"""Pages that belong to no single app: the home page."""

from django.shortcuts import render


def home(request):
    return render(request, "frontend/home.html")
