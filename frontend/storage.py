"""Static files as production serves them: hashed names (cached for a year by
WhiteNoise), gzip variants, and the ES modules' ``import … from "./x.js"``
rewritten to the hashed names too, so a page's module never loads a stale
import (Django's ``support_js_module_import_aggregation``)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFiles(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
