"""Expected cadence, the overdue state, baseline imports and late detection: collections from
a real local feed server at chosen times, and the installed ``tracker sources --strict``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.cli import assert_no_traceback, tracker
from tests.support.feeds import make_rss
from tests.support.feedserver import FeedServer
from tracker.collect import cadence, coverage
from tracker.collect.run import run_collection
from tracker.collect.sources import load_sources
from tracker.models import Source
from tracker.storage import open_db
from tracker.vocabulary import SourceHealth, SourceKind
from tracker.work import lateness

NOW = datetime.now(UTC).replace(microsecond=0)


def letter(deadline: date) -> str:
    """The wording of a Verbändeanhörung (as in the BMWK letters of 2023/24)."""
    return ("Referentenentwurf zur Änderung des Messstellenbetriebsgesetzes (Smart-Meter-Rollout). "
            f"Wir geben Ihnen Gelegenheit zur Stellungnahme bis zum {deadline:%d.%m.%Y}.")


def write_feeds(path: Path, sources: dict[str, tuple[str, str | None]]) -> Path:
    """A feeds.toml with one rss source per id: (url, expect_every or None for the default)."""
    blocks = []
    for source_id, (url, expect) in sources.items():
        blocks.append(f'[[source]]\nid = "{source_id}"\nname = "Feed {source_id}"\nurl = "{url}"\nkind = "rss"\n'
                      'publisher = "Test"\njurisdiction = "de"\nlanguage = "de"\n'
                      + (f'expect_every = "{expect}"\n' if expect else ""))
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def collect_at(feeds: Path, db: Path, when: datetime) -> None:
    run_collection(registry=load_sources(feeds), db_path=db, clock=lambda: when)


def by_id(db: Path, feeds: Path, now: datetime = NOW) -> dict[str, dict]:
    return {r["id"]: r for r in coverage.source_report(now=now, configured=load_sources(feeds).known_ids,
                                                       db_path=db)}


# --- pure rules -----------------------------------------------------------------------------

def test_durations_and_default_cadence_per_kind() -> None:
    assert cadence.parse_duration("12h") == timedelta(hours=12)
    assert cadence.parse_duration(" 7d ") == timedelta(days=7)
    assert cadence.parse_duration("2W") == timedelta(weeks=2)
    for bad in ("7", "soon", "0h", "400d", "-1d", "1.5d"):
        with pytest.raises(ValueError):
            cadence.parse_duration(bad)
    assert cadence.format_duration(timedelta(days=7)) == "7 Tage"
    assert cadence.format_duration(timedelta(weeks=2)) == "2 Wochen"
    assert cadence.format_duration(timedelta(hours=1)) == "1 Stunde"

    def source(kind: str, expect: timedelta | None = None) -> Source:
        return Source(id="s", name="S", url="https://example.org/", kind=kind, publisher="", jurisdiction="de",
                      language="de", expect_every=expect)
    assert cadence.expected_every(source(SourceKind.RSS)) == cadence.DEFAULT_EXPECT_EVERY[SourceKind.RSS]
    assert cadence.expected_every(source(SourceKind.IMAP)) == timedelta(days=30)
    assert cadence.expected_every(source(SourceKind.RSS, timedelta(days=3))) == timedelta(days=3)


def test_feeds_toml_names_a_bad_expect_every(tmp_path: Path) -> None:
    feeds = write_feeds(tmp_path / "feeds.toml", {"gut": ("https://example.org/a.xml", "3d"),
                                                  "schlecht": ("https://example.org/b.xml", "bald")})
    registry = load_sources(feeds)
    assert [s.id for s in registry.sources] == ["gut"]
    assert registry.sources[0].expect_every == timedelta(days=3)
    problem = next(p for p in registry.problems if p.field == "expect_every")
    assert problem.line is not None and "'bald'" in problem.message and "7d" in problem.message


def test_overdue_reasons() -> None:
    week = timedelta(days=7)
    added = NOW - timedelta(days=30)

    def reason(**kw: datetime | None) -> str | None:
        return cadence.overdue_reason(week, added_at=added, now=NOW, **{"last_success_at": None,
                                                                         "last_new_at": None, **kw})
    assert reason() == f"seit Aufnahme am {added:%d.%m.%Y} kein erfolgreicher Abruf (erwartet: alle 7 Tage)"
    old = NOW - timedelta(days=8)
    assert reason(last_success_at=old) == f"kein erfolgreicher Abruf seit {old:%d.%m.%Y} (erwartet: alle 7 Tage)"
    assert reason(last_success_at=NOW - timedelta(days=1), last_new_at=old) == \
        f"kein neuer Eintrag seit {old:%d.%m.%Y} (erwartet: alle 7 Tage)"
    assert reason(last_success_at=NOW - timedelta(days=1), last_new_at=NOW - timedelta(days=6)) is None
    # Within its grace after being added, a source is not overdue yet; without cadence never.
    assert cadence.overdue_reason(week, added_at=NOW - timedelta(days=2), last_success_at=None, last_new_at=None,
                                  now=NOW) is None
    assert cadence.overdue_reason(None, added_at=added, last_success_at=None, last_new_at=None, now=NOW) is None


def test_late_detection_counts_working_days() -> None:
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert lateness.working_days_warning(monday, date(2026, 3, 13)) == 9
    assert lateness.is_late(monday, date(2026, 3, 13))
    assert not lateness.is_late(monday, date(2026, 3, 16))  # ten working days left
    # Good Friday and Easter Monday are no working days: first seen a fortnight before is late.
    assert lateness.is_late(datetime(2026, 3, 30, 9, 0, tzinfo=UTC), date(2026, 4, 13))
    # Seen late on the evening of the 1st in UTC is the 2nd in Berlin.
    assert lateness.working_days_warning(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), date(2026, 3, 13)) == 9
    assert not lateness.is_late(None, date(2026, 3, 13)) and not lateness.is_late(monday, None)


# --- collections at chosen times ------------------------------------------------------------

@pytest.fixture
def server() -> FeedServer:
    with FeedServer() as running:
        yield running


def test_silent_source_is_overdue_and_strict_exit_says_so(server: FeedServer, db_path: Path, tmp_path: Path) -> None:
    server.route("/stumm.xml", body=make_rss(2, prefix="stumm"))
    server.route("/rege.xml", body=make_rss(2, prefix="rege"))
    server.route("/kaputt.xml", status=500, body="kaputt")
    feeds = write_feeds(tmp_path / "feeds.toml", {"stumm": (server.url("/stumm.xml"), "7d"),
                                                  "rege": (server.url("/rege.xml"), None),
                                                  "kaputt": (server.url("/kaputt.xml"), None)})
    first = NOW - timedelta(days=10)
    collect_at(feeds, db_path, first)
    server.route("/rege.xml", body=make_rss(3, prefix="rege"))  # one new entry; stumm brings nothing new
    collect_at(feeds, db_path, NOW - timedelta(days=1))

    rows = by_id(db_path, feeds)
    assert rows["stumm"]["state"] == SourceHealth.OVERDUE
    assert rows["stumm"]["overdue"] == f"kein neuer Eintrag seit {first:%d.%m.%Y} (erwartet: alle 7 Tage)"
    assert rows["rege"]["state"] == SourceHealth.OK and rows["rege"]["overdue"] is None
    assert rows["rege"]["expect_every"] == timedelta(days=14)  # the default of its kind
    assert rows["kaputt"]["state"] == SourceHealth.ERROR and rows["kaputt"]["overdue"] is None

    env = {"TRACKER_DB": str(db_path), "TRACKER_FEEDS": str(feeds)}
    plain = tracker("sources", env=env)
    assert plain.returncode == 0, plain.stderr
    assert "überfällig" in plain.stdout and "alle 7 Tage" in plain.stdout
    strict = tracker("sources", "--strict", env=env)
    assert_no_traceback(strict)
    assert strict.returncode == 1  # a failing source wins over an overdue one
    lines = strict.stderr.strip().splitlines()
    assert lines[0].startswith("fehlerhaft: kaputt: ") and "500" in lines[0]
    assert lines[1] == f"überfällig: stumm: kein neuer Eintrag seit {first:%d.%m.%Y} (erwartet: alle 7 Tage)"
    assert len(lines) == 2

    without_broken = write_feeds(tmp_path / "ohne.toml", {"stumm": (server.url("/stumm.xml"), "7d"),
                                                          "rege": (server.url("/rege.xml"), None)})
    overdue_only = tracker("sources", "--strict", env={**env, "TRACKER_FEEDS": str(without_broken)})
    assert overdue_only.returncode == 3, overdue_only.stderr
    assert overdue_only.stderr.strip().splitlines() == [lines[1]]
    healthy = write_feeds(tmp_path / "gesund.toml", {"rege": (server.url("/rege.xml"), None)})
    fine = tracker("sources", "--strict", env={**env, "TRACKER_FEEDS": str(healthy)})
    assert fine.returncode == 0 and fine.stderr == "", fine.stderr


def test_never_fetched_source_is_overdue_after_its_grace(server: FeedServer, db_path: Path, tmp_path: Path) -> None:
    server.route("/a.xml", status=404, body="weg")
    feeds = write_feeds(tmp_path / "feeds.toml", {"neu": (server.url("/a.xml"), "1d")})
    added = NOW - timedelta(days=3)
    collect_at(feeds, db_path, added)
    row = by_id(db_path, feeds)["neu"]
    assert row["state"] == SourceHealth.ERROR  # failing says more than overdue ...
    assert row["overdue"] == f"seit Aufnahme am {added:%d.%m.%Y} kein erfolgreicher Abruf (erwartet: alle 1 Tag)"
    summary = coverage.coverage_from(list(by_id(db_path, feeds).values()), 0, NOW - timedelta(days=1))
    assert [n.source_id for n in summary.failing] == ["neu"] and summary.overdue == ()  # ... and is named once


def test_first_collection_is_a_baseline_and_later_news_is_not(server: FeedServer, db_path: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_BASELINE_AFTER_DAYS", "5")
    soon = (NOW + timedelta(days=4)).date()
    server.route("/t.xml", body=make_rss(2, prefix="t", summary=letter(soon)))
    feeds = write_feeds(tmp_path / "feeds.toml", {"taeglich": (server.url("/t.xml"), "1d")})
    collect_at(feeds, db_path, NOW - timedelta(days=9))
    server.route("/t.xml", body=make_rss(3, prefix="t", summary=letter(soon)))
    collect_at(feeds, db_path, NOW - timedelta(days=8))
    # Six days without a successful fetch: more than the setting (5) and three times the
    # cadence (3 days), so what the source holds now is a backlog again.
    server.route("/t.xml", body=make_rss(4, prefix="t", summary=letter(soon)))
    collect_at(feeds, db_path, NOW - timedelta(days=2))
    with open_db(db_path) as con:
        marks = dict(con.execute("SELECT guid, is_baseline FROM items").fetchall())
    assert marks == {"t-0": True, "t-1": True, "t-2": False, "t-3": True}


def test_collect_says_which_source_was_a_baseline_import(server: FeedServer, db_path: Path, tmp_path: Path) -> None:
    """The installed script, as cron sees it: the first run names the baseline, the next does not."""
    server.route("/t.xml", body=make_rss(2, prefix="t"))
    feeds = write_feeds(tmp_path / "feeds.toml", {"taeglich": (server.url("/t.xml"), None)})
    env = {"TRACKER_DB": str(db_path), "TRACKER_FEEDS": str(feeds)}
    first = tracker("collect", env=env)
    assert first.returncode == 0, first.stderr
    assert "Erstimport: neue Einträge ohne Benachrichtigung" in first.stdout
    assert first.stdout.rstrip().endswith("2 neue aus einem Erstimport (ohne Benachrichtigung).")
    server.route("/t.xml", body=make_rss(3, prefix="t"))
    second = tracker("collect", env=env)
    assert second.returncode == 0, second.stderr
    assert "Erstimport" not in second.stdout and "1 neue und 0 geänderte Einträge" in second.stdout


def feed(summaries: list[str], prefix: str = "a") -> bytes:
    """An RSS document whose n-th entry (guid <prefix>-n) carries the n-th summary."""
    items = [make_rss(1, prefix=prefix, start=n, summary=text).decode().split("<item>")[1].split("</item>")[0]
             for n, text in enumerate(summaries)]
    return make_rss(0).replace(b"</channel>", "".join(f"<item>{i}</item>" for i in items).encode() + b"</channel>")


def test_late_detection_per_source_leaves_baseline_aside(server: FeedServer, db_path: Path, tmp_path: Path) -> None:
    first = NOW - timedelta(days=2)
    soon, later = (first + timedelta(days=5)).date(), (first + timedelta(days=60)).date()
    server.route("/a.xml", body=feed([letter(soon)]))
    feeds = write_feeds(tmp_path / "feeds.toml", {"a": (server.url("/a.xml"), None)})
    collect_at(feeds, db_path, first)  # baseline: late or not, it says nothing about the source
    assert by_id(db_path, feeds)["a"]["with_deadline"] == 0
    server.route("/a.xml", body=feed([letter(soon), letter(soon), letter(later)]))
    collect_at(feeds, db_path, NOW - timedelta(days=1))
    row = by_id(db_path, feeds)["a"]
    assert (row["late"], row["with_deadline"]) == (1, 2)
