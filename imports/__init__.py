"""Import of what gemeenten already have: CSV exports and iJw 3.2 messages (issue 5, docs/import.md).

- csv_import.py: the CSV column set, streamed in chunks, written set-based with history.
- ijw.py: reading and XSD-validating iJw messages; ijw_import.py: turning them into records.
- runner.py: one ImportRun from start to report, for the commands, the upload page and the task.
- report.py: problems and counts, in Dutch, never with a BSN.
"""
