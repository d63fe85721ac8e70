"""forum: aspirations (complaints and suggestions) as threads with nested
replies, a status lifecycle and SP4N-LAPOR!-style deadlines in working days."""
