"""Settings: ``base`` holds every setting, read from the environment; ``dev``,
``test`` and ``prod`` only override."""
