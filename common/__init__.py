"""common: what every app may use and that belongs to no domain — the one
application error type, the one Redis client factory, text policy (the
sanitizer, personal-data detection and masking) and the background jobs.
It imports none of the project's apps."""
