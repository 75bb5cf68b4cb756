"""The schema revisions this version knows, kept apart from the migration machinery so
that checking a database's revision imports nothing heavy."""

#: Every schema revision this version knows, oldest first; the last is current.
REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006", "0007",
                                 "0008")
HEAD = REVISIONS[-1]
