"""Import of what gemeenten already have: CSV exports and iJw 3.2 messages (issue 5, docs/import.md).

- csv_import.py: a CSV file streamed in chunks; csv_rows.py: the column set and the checks of a row;
  csv_write.py: a chunk written set-based with history.
- ijw.py: reading and XSD-validating iJw messages; ijw_check.py: what they must be before anything is
  written; ijw_import.py: runs the files through the handlers per message type (ijw_allocations: JW301,
  ijw_care: JW305/JW307, ijw_referrals: JW315, ijw_extensions: JW317 and granted extensions; shared
  parts in ijw_base).
- runner.py: one ImportRun from start to report, for the commands, the upload page and the task.
- report.py: problems and counts, in Dutch, never with a BSN.
"""
