"""Citizens' data rights under UU PDP 27/2022 (docs/security.md, "Data rights"):
the export of everything the hub holds about a user, the erasure of an
account, the scheduled purge of raw personal data, the log of staff who were
shown unmasked NIK or phone numbers, and the privacy page (``/privasi/``).

It sits on the top layer (beside ``frontend`` and ``ops``) because it reads
and writes every domain's rows about one person."""
