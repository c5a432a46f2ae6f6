"""Test mails built from the wording of real Verbändeanhörung letters and drafts.

Ministries do not publish their letters as mails, so each mail is assembled here from
wording seen in published texts; `fixtures/mail/README.md` says where each phrase, title
and date was seen and what is ours (addresses, Referat names, times of day, the hearing's
date and room).
"""

from __future__ import annotations

import email
import email.policy
import io
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from pathlib import Path

import docx

from tracker.clock import BERLIN

FIXTURES = Path(__file__).parent / "fixtures" / "mail"

# 1. BMWi, Kohleausstiegsgesetz (January 2020): the mail reached associations on Wednesday,
#    22 January 2020 at 19:00 with the draft attached and 23 hours to comment; the deadline
#    sentence's wording is ours (see the README).
KOHLE_TITLE = ("Entwurf eines Gesetzes zur Reduzierung und zur Beendigung der Kohleverstromung und zur Änderung "
               "weiterer Gesetze (Kohleausstiegsgesetz)")
KOHLE_SENT = datetime(2020, 1, 22, 19, 0, tzinfo=BERLIN)
KOHLE_MESSAGE_ID = "refe-kohleausstieg-20200122@bmwi.bund.de"
KOHLE_BODY = """Sehr geehrte Damen und Herren,

anbei übersenden wir Ihnen den Referentenentwurf eines Gesetzes zur Reduzierung und zur Beendigung
der Kohleverstromung und zur Änderung weiterer Gesetze (Kohleausstiegsgesetz).

Der Entwurf ist innerhalb der Bundesregierung noch nicht abgestimmt.

Wir bitten um Prüfung und gegebenenfalls Stellungnahme bis Donnerstag, 23. Januar 2020, 18 Uhr.

Mit freundlichen Grüßen
Im Auftrag
Referat IIIB1
Bundesministerium für Wirtschaft und Energie
"""

# 2. BMWE, Vergabebeschleunigungsgesetz (July 2025): Referentenentwurf with a synopsis of the
#    GWB changes, published 24 July 2025, comments due 28 July 2025.
VERGABE_TITLE = ("Referentenentwurf eines Gesetzes zur Beschleunigung der Vergabe öffentlicher Aufträge "
                 "(Vergabebeschleunigungsgesetz)")
VERGABE_SENT = datetime(2025, 7, 24, 14, 0, 31, tzinfo=BERLIN)
VERGABE_BODY = f"""Sehr geehrte Damen und Herren,

das Bundesministerium für Wirtschaft und Energie hat den {VERGABE_TITLE} erarbeitet. Der Entwurf
sieht Vereinfachungen und die Digitalisierung der Vergabeverfahren sowie Änderungen an VgV, SektVO
und KonzVgV vor; eine Synopse der Änderungen am GWB ist beigefügt.

Wir geben Ihnen Gelegenheit zur Stellungnahme bis zum 28. Juli 2025.

Mit freundlichen Grüßen
Im Auftrag
Referat IB6
"""

# 3. BMDV, Mobilitätsdatengesetz (May 2024): the Referentenentwurf went to the associations on
#    16 May 2024; the invitation to a hearing on it, its date and room are ours.
MOBILITAET_TITLE = "Referentenentwurf Mobilitätsdatengesetz: Einladung zur Anhörung der Verbände"
HEARING_UID = "040000008200E00074C5B7101A82E0080000000010b2a1c3d4e5f6@bmdv.bund.de"

# 4. BMI, NIS-2-Umsetzungs- und Cybersicherheitsstärkungsgesetz (Stand 23. Juni 2025), sent to
#    the associations; its deadline here is ours.
NIS2_TITLE = "Referentenentwurf NIS-2-Umsetzungs- und Cybersicherheitsstärkungsgesetz (Stand 23. Juni 2025)"


def _mail(sender: str, subject: str, sent: datetime, body: str, message_id: str | None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "Verband kommunaler Stadtwerke <post@verband.example>"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(sent)
    if message_id:
        mail["Message-ID"] = f"<{message_id}>"
    mail.set_content(body)
    return mail


def draft_pdf() -> bytes:
    """The draft as the ministry attaches it (a PDF made by LibreOffice from the draft's text)."""
    return (FIXTURES / "kohleausstiegsgesetz_refe.pdf").read_bytes()


@cache  # one mail, one set of bytes (MIME boundaries are random)
def synopsis_docx() -> bytes:
    """A synopsis as ministries send it: a Word document with a two-column table."""
    document = docx.Document()
    document.add_heading("Synopse: Änderungen des Gesetzes gegen Wettbewerbsbeschränkungen (GWB)", level=1)
    document.add_paragraph("Vergabebeschleunigungsgesetz – Gegenüberstellung geltende Fassung / Entwurf")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Geltende Fassung"
    table.cell(0, 1).text = "Entwurf"
    table.cell(1, 0).text = "§ 97 Absatz 4 GWB: Mittelstandsinteressen sind vornehmlich zu berücksichtigen."
    table.cell(1, 1).text = "§ 97 Absatz 4 GWB: Lose können zusammen vergeben werden, wenn Zeitgründe es erfordern."
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@cache  # one mail, one set of bytes (MIME boundaries are random)
def ministry_letter() -> bytes:
    """BMWi to the associations: the letter with its deadline and the draft as PDF."""
    mail = _mail('"BMWi Referat IIIB1" <buero-iiib1@bmwi.bund.de>', f"Verbändeanhörung: {KOHLE_TITLE}",
                 KOHLE_SENT, KOHLE_BODY, KOHLE_MESSAGE_ID)
    mail.add_attachment(draft_pdf(), maintype="application", subtype="pdf",
                        filename="200122_RefE_Kohleausstiegsgesetz.pdf")
    return bytes(mail)


@cache  # one mail, one set of bytes (MIME boundaries are random)
def forwarded_as_attachment() -> bytes:
    """A colleague forwards the same letter "als Anlage" (message/rfc822)."""
    mail = _mail("Jana Beispiel <j.beispiel@stadtwerke-auenfeld.example>", f"WG: Verbändeanhörung: {KOHLE_TITLE}",
                 datetime(2020, 1, 22, 19, 40, tzinfo=BERLIN), "Zur Info – bitte kurzfristig ansehen.\n",
                 "fwd-1@stadtwerke-auenfeld.example")
    original = email.message_from_bytes(ministry_letter(), policy=email.policy.default)
    mail.add_attachment(original, filename="Verbändeanhörung.eml")
    return bytes(mail)


def _vergabe_letter_header_outlook() -> str:
    return ("________________________________\n"
            "Von: BMWE Referat IB6 <buero-ib6@bmwe.bund.de>\n"
            "Gesendet: Donnerstag, 24. Juli 2025 14:00\n"
            "An: Verteiler Verbände\n"
            f"Betreff: {VERGABE_TITLE}\n\n")


@cache  # one mail, one set of bytes (MIME boundaries are random)
def forwarded_inline_outlook() -> bytes:
    """Outlook's inline forward: a "Von:/Gesendet:/An:/Betreff:" block, the synopsis re-attached."""
    body = ("Liebe Kolleginnen und Kollegen,\n\nzur Kenntnis; wir sollten bis Freitag intern abstimmen.\n\n"
            "Viele Grüße\nJana Beispiel\n\n" + _vergabe_letter_header_outlook() + VERGABE_BODY)
    mail = _mail("Jana Beispiel <j.beispiel@stadtwerke-auenfeld.example>", f"WG: {VERGABE_TITLE}",
                 datetime(2025, 7, 24, 15, 12, tzinfo=BERLIN), body, "AM0PR07MB1234@stadtwerke-auenfeld.example")
    mail.add_attachment(synopsis_docx(), maintype="application",
                        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                        filename="Synopse_GWB_Vergabebeschleunigungsgesetz.docx")
    return bytes(mail)


@cache  # one mail, one set of bytes (MIME boundaries are random)
def forwarded_inline_thunderbird() -> bytes:
    """Thunderbird's inline forward of the same letter by someone else."""
    body = ("Hallo,\n\nanbei die Anhörung zum Vergaberecht.\n\n"
            "-------- Weitergeleitete Nachricht --------\n"
            f"Betreff: \t{VERGABE_TITLE}\n"
            f"Datum: \t{format_datetime(VERGABE_SENT)}\n"
            "Von: \tBMWE Referat IB6 <buero-ib6@bmwe.bund.de>\n"
            "An: \tVerteiler Verbände\n\n" + VERGABE_BODY)
    mail = _mail("Tom Muster <t.muster@lindenbrueck.example>", f"Fwd: {VERGABE_TITLE}",
                 datetime(2025, 7, 25, 8, 30, tzinfo=BERLIN), body, "tb-fwd-77@lindenbrueck.example")
    return bytes(mail)


@cache  # one mail, one set of bytes (MIME boundaries are random)
def invitation(*, sequence: int = 0, method: str = "REQUEST", start: str = "20240605T100000",
               end: str = "20240605T130000", location: str = "BMDV, Invalidenstraße 44, 10115 Berlin, Saal 3",
               subject_prefix: str = "") -> bytes:
    """An Outlook invitation to the hearing (Windows time zone with its VTIMEZONE); a later
    update or cancellation is the same UID with a higher SEQUENCE."""
    status = "CANCELLED" if method == "CANCEL" else "CONFIRMED"
    ics = (
        f"BEGIN:VCALENDAR\r\nMETHOD:{method}\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n"
        "BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\nORGANIZER;CN=BMDV Referat DG 20:mailto:ref-dg20@bmdv.bund.de\r\n"
        "SUMMARY;LANGUAGE=de-DE:Anhörung der Verbände zum Referentenentwurf Mobilitätsdatengesetz\r\n"
        f"DTSTART;TZID=W. Europe Standard Time:{start}\r\nDTEND;TZID=W. Europe Standard Time:{end}\r\n"
        f"UID:{HEARING_UID}\r\nSEQUENCE:{sequence}\r\nDTSTAMP:2024052{sequence}T090000Z\r\nSTATUS:{status}\r\n"
        f"LOCATION;LANGUAGE=de-DE:{location}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    words = {"REQUEST": "Einladung" if sequence == 0 else "Aktualisiert", "CANCEL": "Abgesagt"}
    subject = subject_prefix or f"{words[method]}: Anhörung der Verbände zum Referentenentwurf Mobilitätsdatengesetz"
    body = ("Sehr geehrte Damen und Herren,\n\nzu dem Ihnen am 16. Mai 2024 übersandten Referentenentwurf "
            "eines Mobilitätsdatengesetzes laden wir Sie zu einer Anhörung der Verbände ein.\n\n"
            "Mit freundlichen Grüßen\nIm Auftrag\nReferat DG 20\n")
    if method == "CANCEL":
        body = "Sehr geehrte Damen und Herren,\n\ndie Anhörung der Verbände muss leider entfallen.\n"
    mail = _mail('"BMDV Referat DG 20" <ref-dg20@bmdv.bund.de>', subject,
                 datetime(2024, 5, 20 + sequence, 11, 0, tzinfo=BERLIN), body,
                 f"hearing-{sequence}-{method.lower()}@bmdv.bund.de")
    mail.add_alternative(ics, subtype="calendar", params={"method": method})
    mail.add_attachment(ics.encode(), maintype="text", subtype="calendar", filename="invite.ics")
    return bytes(mail)


@cache  # one mail, one set of bytes (MIME boundaries are random)
def broken_attachments() -> bytes:
    """A letter whose PDF is cut off in transit and whose "DOCX" is no Word file."""
    body = ("Sehr geehrte Damen und Herren,\n\ndas Bundesministerium des Innern übersendet Ihnen den "
            f"{NIS2_TITLE}.\n\nWir geben Ihnen Gelegenheit zur Stellungnahme bis zum 3. Juli 2025.\n\n"
            "Mit freundlichen Grüßen\nIm Auftrag\nReferat CI 1\n")
    mail = _mail('"BMI Referat CI 1" <ci1@bmi.bund.de>', NIS2_TITLE, datetime(2025, 6, 23, 17, 0, tzinfo=BERLIN),
                 body, "nis2-refe-20250623@bmi.bund.de")
    mail.add_attachment(draft_pdf()[:900], maintype="application", subtype="pdf", filename="RefE_NIS2UmsuCG.pdf")
    mail.add_attachment(b"Dies ist keine Word-Datei.", maintype="application",
                        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                        filename="Begruendung.docx")
    return bytes(mail)


def unknown_charset() -> bytes:
    """A mail whose text declares a character set no one knows."""
    return ("From: ci1@bmi.bund.de\r\nTo: post@verband.example\r\nSubject: Nachtrag zur Anhörung\r\n"
            "Date: Tue, 24 Jun 2025 09:00:00 +0200\r\nMessage-ID: <nachtrag-1@bmi.bund.de>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-unbekannt-42\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + "Anbei der Nachtrag für Stadtwerke.\r\n".encode(
                "latin-1")
