"""The Q&A sessions' pages: the public schedule and session pages
(``pages.py``), the iCalendar file (``ics.py``) and the officials' console
(``console.py``), the follow toggle (``follow.py``). Views parse input and call ``qa.services``; reads are
``qa.selectors``, shown through ``qa.present``."""
