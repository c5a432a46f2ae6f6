"""How the judge's verdicts hold against the team's own (the Themen page and ``tracker train``).

Every "relevant" or "nicht relevant" the team gives on the Vorgang page is compared with the
item's stored judgement. The honest figure counts only verdicts given after the model behind
that judgement was trained: the model cannot have learnt from them, so they are text it has
never seen, from the team's own sources. Verdicts the model already learnt from are counted
apart, never mixed in. Judgements by the rules alone count as unseen (rules learn nothing).
The inbox hides items judged not relevant, so a random sample of them is offered for a
verdict: without it, misses would show only by chance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import duckdb

from tracker.access import permissions
from tracker.clock import BERLIN
from tracker.judge.model import trained_at
from tracker.models import User
from tracker.storage import judgements as store
from tracker.storage import open_db

SAMPLE_WEEKS = 4
SAMPLE_SIZE = 10


@dataclass(frozen=True)
class Agreement:
    """The judge against the team on a set of verdicts."""

    both_relevant: int = 0
    false_alarms: int = 0  # judged relevant, the team said not
    missed: int = 0  # the team said relevant, the judge did not
    both_not: int = 0

    @property
    def verdicts(self) -> int:
        return self.both_relevant + self.false_alarms + self.missed + self.both_not

    @property
    def precision(self) -> float | None:
        """Of what the judge showed as relevant, the share the team agreed with."""
        shown = self.both_relevant + self.false_alarms
        return self.both_relevant / shown if shown else None

    @property
    def recall(self) -> float | None:
        """Of what the team calls relevant, the share the judge found."""
        wanted = self.both_relevant + self.missed
        return self.both_relevant / wanted if wanted else None

    @classmethod
    def of(cls, rows: Sequence[Mapping[str, Any]]) -> Agreement:
        pairs = [(bool(r["judged_relevant"]), bool(r["team_relevant"])) for r in rows]
        return cls(both_relevant=pairs.count((True, True)), false_alarms=pairs.count((True, False)),
                   missed=pairs.count((False, True)), both_not=pairs.count((False, False)))


@dataclass(frozen=True)
class FeedbackReport:
    unseen: Agreement  # verdicts given after the judging model was trained
    learnt: Agreement  # verdicts given before the judging model was trained: it may have learnt them
    disagreements: list[dict[str, Any]]  # unseen verdicts the judge got wrong, newest first
    model_trained_at: datetime | None  # of the newest judgement's model; None: rules alone
    sample: list[dict[str, Any]]  # hidden items to grade (``review_sample``)


def never_seen_by_model(row: Mapping[str, Any]) -> bool:
    """True when the team's verdict came after the model behind the judgement was trained."""
    trained = trained_at(row["model_version"])
    return trained is None or row["labelled_at"] > trained


def report(user: User, *, today: date, disagreements: int = 20) -> FeedbackReport:
    """The judge against the team's verdicts, with this week's sample to grade (team only);
    one read of the database."""
    permissions.require_team(user)
    with open_db() as con:
        rows = store.label_verdicts(con)
        sample = _review_sample(con, today)
    unseen: list[dict[str, Any]] = []
    learnt: list[dict[str, Any]] = []
    for row in rows:
        (unseen if never_seen_by_model(row) else learnt).append(row)
    wrong = [row for row in unseen if bool(row["judged_relevant"]) != bool(row["team_relevant"])]
    models = [stamp for stamp in map(trained_at, {row["model_version"] for row in rows}) if stamp is not None]
    return FeedbackReport(Agreement.of(unseen), Agreement.of(learnt), wrong[:disagreements],
                          max(models, default=None), sample)


def _review_sample(con: duckdb.DuckDBPyConnection, today: date) -> list[dict[str, Any]]:
    """Items the judge hid as not relevant, drawn at random from the last ``SAMPLE_WEEKS``,
    for the team to give a verdict on. Misses show only where someone looks at hidden items;
    a random draw makes the "übersehen" count mean something. The draw stays the same for a
    calendar week, so a page reload or a second tab shows the same list, and items that got
    a verdict leave it."""
    year, week, _ = today.isocalendar()
    since = datetime.combine(today - timedelta(weeks=SAMPLE_WEEKS), time.min, tzinfo=BERLIN)
    return store.not_relevant_sample(con, since=since, key=f"{year}-W{week:02d}", size=SAMPLE_SIZE)


def summary_line(agreement: Agreement) -> str:
    """One German line on the judge against the team's unseen verdicts (CLI and page)."""
    if not agreement.verdicts:
        return "Noch keine Rückmeldungen des Teams, die das Modell nicht schon kennt."
    parts = [f"{counted(agreement.verdicts, 'Rückmeldung', 'Rückmeldungen')} des Teams, die das Modell nicht kannte"]
    if agreement.precision is not None:
        parts.append(f"als relevant gezeigt und vom Team bestätigt: {_percent(agreement.precision)}"
                     f" ({counted(agreement.false_alarms, 'Fehlalarm', 'Fehlalarme')})")
    if agreement.recall is not None:
        parts.append(f"vom Team als relevant gewertet und gefunden: {_percent(agreement.recall)}"
                     f" ({agreement.missed} übersehen)")
    return "; ".join(parts) + "."


def learnt_line(agreement: Agreement) -> str:
    """What is left out of the figure: verdicts the model may already have learnt."""
    older = counted(agreement.verdicts, "ältere Rückmeldung", "ältere Rückmeldungen")
    return (f"{older} kann das Modell schon gelernt haben; sie zählen hier nicht mit. "
            "`tracker train` lernt aus allen Rückmeldungen.")


def counted(n: int, one: str, many: str) -> str:
    return f"1 {one}" if n == 1 else f"{n} {many}"


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"
