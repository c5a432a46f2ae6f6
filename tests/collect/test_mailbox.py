"""Mailbox intake against a real IMAP server (Dovecot on 127.0.0.1, IMAPS, a temporary
maildir): letters, forwards, attachments, invitations, broken mails, duplicates, and what
the tool does (and does not do) to the mailbox."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.collect import mails
from tests.support.imap import ImapServer, dovecot
from tracker.collect.fetch import FetchPolicy
from tracker.collect.run import check_sources, run_collection
from tracker.collect.sources import load_sources
from tracker.models import MailboxMark
from tracker.storage import open_db
from tracker.storage.hearings import item_hearings
from tracker.storage.sources import record_mailbox_marks, source_health
from tracker.vocabulary import FetchOutcome, HearingStatus, MailReading

FAST = FetchPolicy(connect_timeout=5, read_timeout=10, total_deadline=30, retries=0, concurrency=2)
_folders = itertools.count(1)


@pytest.fixture(scope="module")
def imap() -> Iterator[ImapServer]:
    with dovecot() as server:
        yield server


@pytest.fixture
def folder(imap: ImapServer) -> str:
    """A folder of its own for each test: tests never see each other's mails."""
    return f"INBOX/t{next(_folders)}"


def mailbox_toml(path: Path, imap: ImapServer, folder: str, *, source_id: str = "postfach", extra: str = "") -> Path:
    path.write_text(
        f'[[source]]\nid = "{source_id}"\nname = "Postfach Anhörungen"\nurl = "{imap.url(folder)}"\n'
        f'kind = "imap"\npublisher = "Verbandspostfach"\njurisdiction = "de"\nlanguage = "de"\n{extra}\n',
        encoding="utf-8")
    return path


@pytest.fixture
def collect(tmp_path: Path, db_path: Path, imap: ImapServer, folder: str, monkeypatch: pytest.MonkeyPatch):
    """Collect the test's mailbox (optionally with more feeds.toml lines) at a given moment."""
    for name, value in imap.env("postfach").items():
        monkeypatch.setenv(name, value)

    def run(extra: str = "", at: datetime | None = None):
        registry = load_sources(mailbox_toml(tmp_path / "feeds.toml", imap, folder, extra=extra))
        clock = (lambda: at) if at else (lambda: datetime.now(UTC))
        return run_collection(registry=registry, policy=FAST, clock=clock)
    return run


def items(db_path: Path) -> list[dict]:
    with open_db(db_path) as con:
        rel = con.execute("SELECT id, title, summary, text, deadline, deadline_text, published_at, extra, "
                          "is_baseline FROM items ORDER BY published_at, id")
        names = [d[0] for d in rel.description]
        rows = [dict(zip(names, row, strict=True)) for row in rel.fetchall()]
    for row in rows:
        row["extra"] = json.loads(row["extra"])
    return rows


def archived(db_path: Path) -> list[tuple[str, str, bytes]]:
    with open_db(db_path) as con:
        return [(url, content_type, gzip.decompress(body)) for url, content_type, body in con.execute(
            "SELECT url, content_type, body_gzip FROM raw_documents ORDER BY id").fetchall()]


def test_ministry_letter_becomes_an_item_with_deadline_draft_text_and_ministry(imap, folder, collect, db_path):
    imap.deliver(mails.ministry_letter(), folder)
    report = collect(at=datetime(2020, 1, 22, 18, 5, tzinfo=UTC))  # five minutes after it arrived
    assert [o.state for o in report.outcomes] == [FetchOutcome.OK], report.outcomes[0].message
    [item] = items(db_path)
    assert item["title"] == f"Verbändeanhörung: {mails.KOHLE_TITLE}"
    assert item["deadline"] == date(2020, 1, 23)
    assert "Stellungnahme bis Donnerstag, 23. Januar 2020, 18 Uhr" in item["deadline_text"]
    assert "A. Problem und Ziel" in item["text"]  # the PDF draft, read with pypdf
    assert item["published_at"] == mails.KOHLE_SENT
    mail = item["extra"]["mail"]
    assert mail["ministry"]["short"] == "BMWE" and mail["ministry"]["domain"] == "bmwi.bund.de"
    assert mail["reading"] == MailReading.READ and mail["forward"] is None
    [pdf] = mail["attachments"]
    # The mail and its attachment are both in the raw archive, byte for byte.
    stored = archived(db_path)
    sent = mails.ministry_letter().replace(b"\r\n", b"\n")  # IMAP stores lines ending in CRLF
    assert any(content_type == "message/rfc822" and body.replace(b"\r\n", b"\n") == sent
               for _, content_type, body in stored)
    assert any(hashlib.sha256(body).hexdigest() == pdf["sha256"] == hashlib.sha256(mails.draft_pdf()).hexdigest()
               for _, _, body in stored)
    # Read-only by default: not even the seen flag was set.
    assert all(b"\\Seen" not in flags for flags in imap.messages(folder).values())


def test_the_same_mail_twice_and_its_forward_as_attachment_are_one_item(imap, folder, collect, db_path):
    imap.deliver(mails.ministry_letter(), folder)
    imap.deliver(mails.ministry_letter(), folder)
    imap.deliver(mails.forwarded_as_attachment(), folder)
    first = collect()
    assert first.outcomes[0].stats.new == 1
    [item] = items(db_path)
    assert item["deadline"] == date(2020, 1, 23)
    # Nothing new next time: each mail is taken once (UID mark), no item doubled.
    second = collect()
    assert second.outcomes[0].state == FetchOutcome.UNCHANGED
    assert len(items(db_path)) == 1
    imap.deliver(mails.ministry_letter(), folder)  # a third delivery, in a later run
    third = collect()
    assert third.outcomes[0].stats.seen == 1 and third.outcomes[0].stats.new == 0
    assert len(items(db_path)) == 1


def test_inline_forwards_recover_the_original_sender_date_and_subject(imap, folder, collect, db_path):
    imap.deliver(mails.forwarded_inline_outlook(), folder)
    imap.deliver(mails.forwarded_inline_thunderbird(), folder)  # the same letter, forwarded by someone else
    collect()
    [item] = items(db_path)
    assert item["title"] == mails.VERGABE_TITLE  # no "WG:" / "Fwd:"
    assert item["published_at"] == datetime(2025, 7, 24, 12, 0, tzinfo=UTC)  # the ministry's date, not the forward's
    assert item["deadline"] == date(2025, 7, 28)
    mail = item["extra"]["mail"]
    assert mail["from"] == "buero-ib6@bmwe.bund.de" and mail["ministry"]["short"] == "BMWE"
    assert mail["forward"]["by_address"] == "j.beispiel@stadtwerke-auenfeld.example"
    assert "bis Freitag intern abstimmen" in mail["forward"]["note"]
    assert "Synopse" in item["text"] and "§ 97 Absatz 4 GWB" in item["text"]  # the DOCX, read with python-docx
    assert "bis Freitag" not in item["summary"]  # the forwarder's note is not the letter


def test_an_invitation_its_update_and_its_cancellation_keep_one_dated_hearing(imap, folder, collect, db_path):
    imap.deliver(mails.invitation(), folder)
    collect()
    [invited] = items(db_path)
    with open_db(db_path) as con:
        [hearing] = item_hearings(con, invited["id"])
    assert hearing["status"] == HearingStatus.PLANNED
    # 10:00 in the sender's own VTIMEZONE ("W. Europe Standard Time", summer time) is 08:00 UTC.
    assert hearing["starts_at"] == datetime(2024, 6, 5, 8, 0, tzinfo=UTC)
    assert hearing["start_day"] == date(2024, 6, 5) and "Saal 3" in hearing["location"]

    imap.deliver(mails.invitation(sequence=1, start="20240605T110000", end="20240605T140000"), folder)
    collect()
    with open_db(db_path) as con:
        [moved] = item_hearings(con, invited["id"])
    assert moved["status"] == HearingStatus.UPDATED and moved["starts_at"] == datetime(2024, 6, 5, 9, 0, tzinfo=UTC)
    assert moved["sequence"] == 1

    # An old copy of the first invitation arriving late changes nothing.
    imap.deliver(mails.invitation(sequence=0, start="20240606T100000", end="20240606T130000"), folder)
    imap.deliver(mails.invitation(sequence=2, method="CANCEL", start="20240605T110000", end="20240605T140000"), folder)
    collect()
    with open_db(db_path) as con:
        [cancelled] = item_hearings(con, invited["id"])
    assert cancelled["status"] == HearingStatus.CANCELLED and cancelled["sequence"] == 2
    assert cancelled["starts_at"] == datetime(2024, 6, 5, 9, 0, tzinfo=UTC)  # the date it was cancelled for
    assert cancelled["item_id"] == invited["id"] and cancelled["last_item_id"] != invited["id"]


def test_a_mail_with_broken_attachments_or_an_unknown_charset_is_kept_and_says_why(imap, folder, collect, db_path):
    imap.deliver(mails.broken_attachments(), folder)
    imap.deliver(mails.unknown_charset(), folder)
    report = collect()
    assert report.outcomes[0].state == FetchOutcome.WARNING  # stored, with a note in the source's health
    by_title = {row["title"]: row for row in items(db_path)}
    broken = by_title[mails.NIS2_TITLE]
    assert broken["deadline"] == date(2025, 7, 3)  # the letter is read even though its draft is not
    mail = broken["extra"]["mail"]
    assert mail["reading"] == MailReading.PARTLY
    problems = {a["name"]: a["problem"] for a in mail["attachments"]}
    assert "nicht lesbar" in problems["RefE_NIS2UmsuCG.pdf"]
    assert problems["Begruendung.docx"] == "nicht lesbar (keine gültige DOCX-Datei)"
    # The broken files are kept in the raw archive as they came.
    assert any(body == mails.draft_pdf()[:900] for _, _, body in archived(db_path))
    charset = by_title["Nachtrag zur Anhörung"]
    assert "für Stadtwerke" in charset["summary"]
    assert charset["extra"]["mail"]["reading"] == MailReading.PARTLY


def test_after_read_flags_or_moves_only_stored_mails_and_nothing_else(imap, collect, folder, db_path):
    imap.deliver(mails.ministry_letter(), folder)
    collect('after_read = "flag"')
    # Flagged once its item is stored: at the start of the next run.
    collect('after_read = "flag"')
    [(uid, flags)] = imap.messages(folder).items()
    assert b"$Konsultationsradar" in flags and b"\\Seen" not in flags

    imap.deliver(mails.broken_attachments(), folder)
    target = f"{folder}-erledigt"
    imap.deliver(mails.unknown_charset(), target)  # the target folder exists (the tool never creates one)
    collect(f'after_read = "move:{target}"')
    collect(f'after_read = "move:{target}"')
    assert imap.messages(folder) == {}
    assert len(imap.messages(target)) == 3
    assert len(items(db_path)) == 2  # moved mails are not read again

    missing = f"{folder}-gibt-es-nicht"
    imap.deliver(mails.forwarded_inline_outlook(), folder)
    collect(f'after_read = "move:{missing}"')
    report = collect(f'after_read = "move:{missing}"')
    assert "Zielordner" in (report.outcomes[0].message or "")
    assert len(imap.messages(folder)) == 1  # left where it was


def test_a_changed_uidvalidity_reads_the_folder_again_without_doubling_items(imap, folder, collect, db_path):
    imap.deliver(mails.ministry_letter(), folder)
    imap.deliver(mails.invitation(), folder)
    collect()
    with open_db(db_path) as con:
        record_mailbox_marks(con, {"postfach": MailboxMark(uidvalidity=1, last_uid=99)})
    report = collect()
    assert "UIDVALIDITY" in (report.outcomes[0].message or "")
    assert report.outcomes[0].stats.new == 0 and report.outcomes[0].stats.seen == 2
    assert len(items(db_path)) == 2


def test_login_problems_are_the_mailbox_sources_error_and_are_checked(imap, folder, collect, db_path, monkeypatch):
    monkeypatch.setenv("MAILBOX_POSTFACH_PASSWORD", "falsch")
    report = collect()
    assert report.outcomes[0].state == FetchOutcome.ERROR
    assert "Anmeldung am Postfach abgelehnt" in report.outcomes[0].message
    monkeypatch.delenv("MAILBOX_POSTFACH_PASSWORD")
    report = collect()
    assert "MAILBOX_POSTFACH_PASSWORD" in report.outcomes[0].message
    monkeypatch.delenv("MAILBOX_POSTFACH_CA_FILE")
    monkeypatch.setenv("MAILBOX_POSTFACH_PASSWORD", imap.env("postfach")["MAILBOX_POSTFACH_PASSWORD"])
    report = collect()
    assert "TLS-Zertifikat" in report.outcomes[0].message  # a self-signed certificate is not trusted silently
    with open_db(db_path) as con:
        [row] = source_health(con)
    assert row["consecutive_failures"] == 3


def test_sources_check_opens_the_folder_read_only(imap, folder, tmp_path, monkeypatch):
    for name, value in imap.env("postfach").items():
        monkeypatch.setenv(name, value)
    imap.deliver(mails.ministry_letter(), folder)
    registry = load_sources(mailbox_toml(tmp_path / "feeds.toml", imap, folder, extra='after_read = "flag"'))
    [check] = check_sources(registry=registry, policy=FAST)
    assert check.verdict.startswith("OK: Postfach erreichbar") and "1 E-Mail" in check.verdict
    assert all(b"$Konsultationsradar" not in flags for flags in imap.messages(folder).values())


def test_the_first_import_of_a_mailbox_is_a_baseline_and_later_mails_are_news(imap, folder, collect, db_path):
    imap.deliver(mails.ministry_letter(), folder)
    collect(at=datetime.now(UTC) - timedelta(days=1))
    imap.deliver(mails.broken_attachments(), folder)
    collect()
    baseline = {row["title"]: row["is_baseline"] for row in items(db_path)}
    assert baseline == {f"Verbändeanhörung: {mails.KOHLE_TITLE}": True, mails.NIS2_TITLE: False}
