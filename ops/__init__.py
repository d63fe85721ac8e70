"""ops: running Balai Warga. The launcher behind ``make run``/``make test``
(importable without Django), start-up preflight checks, ``/healthz`` and the
``seed_demo`` command. It sits at the top of the dependency graph with
``frontend``: the only places allowed to import every app."""
