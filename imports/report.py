"""What an import tells its user: counts per kind of record and every problem, in Dutch.

A problem names the file, the line or element, the field, the value and what is wrong. Values that
are a BSN are masked before they get here (common.mask_bsn). Problems are capped at MAX_PROBLEMS in
the stored report; the count stays exact.
"""

from collections import Counter
from dataclasses import dataclass, field

from cases.formatting import number

MAX_PROBLEMS = 500
MAX_NOTES = 500
MAX_VALUE = 100


@dataclass
class Problem:
    file: str
    where: str  # "regel 12" or "JW301 ToegewezenProduct 300201"
    field: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "where": self.where,
            "field": self.field,
            "value": self.value,
            "message": self.message,
        }

    def __str__(self) -> str:
        value = f" '{self.value}'" if self.value else ""
        return f"{self.file}, {self.where}, {self.field}{value}: {self.message}"


@dataclass
class Report:
    """Counts per record kind ('traject', 'jeugdige', ...) and outcome ('nieuw', 'gewijzigd', ...)."""

    counts: Counter = field(default_factory=Counter)
    problems: list = field(default_factory=list)
    problem_count: int = 0
    notes: list = field(default_factory=list)
    refused_files: list = field(default_factory=list)
    files_ok: int = 0

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        if n:
            self.counts[f"{kind}|{outcome}"] += n

    def problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(problem.value) > MAX_VALUE:
            problem.value = problem.value[:MAX_VALUE] + "…"  # a cell can be huge; the report stays small
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def note(self, text: str) -> None:
        if len(self.notes) < MAX_NOTES:
            self.notes.append(text)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def total(self, outcome: str) -> int:
        return sum(n for key, n in self.counts.items() if key.split("|")[1] == outcome)

    def table(self) -> list[tuple[str, dict]]:
        """[(kind, {outcome: n})] in a stable order for templates and the command line."""
        rows: dict[str, dict] = {}
        for key, n in sorted(self.counts.items()):
            kind, outcome = key.split("|")
            rows.setdefault(kind, {})[outcome] = n
        return list(rows.items())

    def as_dict(self) -> dict:
        return {
            "counts": dict(self.counts),
            "problems": [p.as_dict() for p in self.problems],
            "problem_count": self.problem_count,
            "notes": self.notes,
            "refused_files": self.refused_files,
            "files_ok": self.files_ok,
        }

    def lines(self) -> list[str]:
        """The report as plain text lines (command line, logs)."""
        out = []
        for kind, outcomes in self.table():
            out.append(f"{kind}: " + ", ".join(f"{number(n)} {outcome}" for outcome, n in outcomes.items()))
        out.extend(f"Let op: {note}" for note in self.notes)
        if self.problem_count:
            out.append(f"{number(self.problem_count)} probleem/problemen:")
            out.extend(f"  - {p}" for p in self.problems)
            if self.problem_count > len(self.problems):
                out.append(f"  ... en nog {number(self.problem_count - len(self.problems))} probleem/problemen")
        return out
