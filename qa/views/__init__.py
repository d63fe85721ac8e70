"""The Q&A sessions' pages and endpoints (one module per page or action)."""
