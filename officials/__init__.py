"""officials: the regency's agencies (SKPD) and kecamatan offices, their
officials, scheduled Q&A sessions and the official's live console."""
