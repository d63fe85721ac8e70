"""frontend: the base template, static CSS/JS (no build step) and the page
views that are not owned by a single app (home)."""
