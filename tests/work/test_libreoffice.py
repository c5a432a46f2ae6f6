"""The letter and the internal version, rendered by LibreOffice to PDF, read page by page:
the letter speaks as the association (salutation, no member names, no version or
internal date) and keeps its closing sentence, greeting and signatures on one page;
the internal version names members and shows the matrix. Pages also become PNGs
(pdftoppm) under artifacts/screenshots/ for a human to look at."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.support.browser import SHOTS
from tracker import export
from tracker.export.association import load_association
from tracker.work import positions, statement

from .conftest import ITEM_ID
from .test_full_path import TODAY, filled  # noqa: F401  (fixture)

MEMBERS = ("SW Altstadt", "Stadt Brückenau", "SW Cellingen", "Stadtwerke Altstadt", "Stadtwerke Cellingen")


def tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    if IN_CI:
        pytest.fail(f"{names[0]} missing in CI (apt packages libreoffice-writer, poppler-utils)")
    pytest.skip(f"{names[0]} not installed")


def pdf_pages(docx: bytes, tmp_path: Path, name: str) -> list[str]:
    """The text of each PDF page LibreOffice makes of ``docx``; PNGs of the pages on the side."""
    source = tmp_path / f"{name}.docx"
    source.write_bytes(docx)
    profile = tmp_path / "lo-profile"  # own profile: no clash with another soffice running
    result = subprocess.run(
        [tool("soffice", "libreoffice"), f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180)
    pdf = tmp_path / f"{name}.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stdout + result.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run([tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool("pdftoppm"), "-png", "-r", "50", str(pdf), str(SHOTS / f"pdf-{name}")], check=True)
    return [page for page in text.split("\f") if page.strip()]


def _long_reasons(world, sections) -> None:
    """Enough text that the letter runs over more than one page."""
    reason = ("Die Kommunen brauchen für die Wärmeplanung belastbare Daten der Netzbetreiber; ohne eine klare "
              "Frist für deren Bereitstellung verzögert sich die Planung in kleinen Gemeinden erheblich. ") * 4
    for section in sections:
        positions.record_position(world.anna, ITEM_ID, section, "sw-a", "ablehnung", reason)
        positions.record_position(world.bernd, ITEM_ID, section, "stadt-b", "ablehnung", reason)


def test_letter_pdf_speaks_as_the_association_and_keeps_the_signatures_with_the_closing(filled, tmp_path):  # noqa: F811
    world, sections = filled
    _long_reasons(world, sections)
    statement.assemble_draft(world.team, ITEM_ID)
    pages = pdf_pages(export.render(world.team, ITEM_ID, "docx", today=TODAY).data, tmp_path, "brief")
    whole = "\n".join(pages)
    association = load_association()
    assert len(pages) >= 2, "the test needs a letter longer than one page"
    assert "Gemeinsame Stellungnahme" in pages[0] and "Sehr geehrte Damen und Herren," in pages[0]
    assert "Lobbyregister-Nr." in pages[0] and "{{" not in whole
    assert not [name for name in MEMBERS if name in whole], "member names in the letter"
    assert "Version" not in whole and "Frist:" not in whole
    assert "4. Dezember 2026" not in whole  # the member input date (internal) appears nowhere
    last = pages[-1]
    closing_sentence = association.closing.split()[0]
    assert closing_sentence in last and "Mit freundlichen Grüßen" in last
    for signatory in association.signatories:
        assert signatory.name in last and signatory.function in last
    # the signatures never stand alone: the closing paragraph is on their page, and the
    # page holds more than the greeting and the names
    body_lines = [line for line in last.splitlines() if line.strip()]
    assert len(body_lines) > 2 + 2 * len(association.signatories) + 2


def test_internal_version_pdf_names_members_and_shows_the_matrix(filled, tmp_path):  # noqa: F811
    world, _ = filled
    statement.assemble_draft(world.team, ITEM_ID)
    pages = pdf_pages(export.render_internal(world.team, ITEM_ID, "docx", today=TODAY).data, tmp_path, "intern")
    whole = "\n".join(pages)
    assert "Interne Fassung – nicht zum Versand" in pages[0]
    assert "Version 1" in pages[0] and "Freigabe durch den Vorstand" in pages[0]
    assert "SW Cellingen" in whole and "Positionsmatrix" in whole and "Herkunft:" in whole
    assert "Wärmenetz ist zu eng gefasst." in whole
