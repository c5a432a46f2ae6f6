"""The exported DOCX opens in LibreOffice and converts to PDF without error."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import IN_CI
from tracker import export
from tracker.work import statement

from .conftest import ITEM_ID
from .test_full_path import TODAY, filled  # noqa: F401  (fixture)


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        if IN_CI:
            pytest.fail("soffice (apt package libreoffice-writer) missing in CI")
        pytest.skip("LibreOffice not installed")
    return found


def test_docx_converts_to_pdf(filled, tmp_path):  # noqa: F811
    binary = soffice()
    world, _ = filled
    statement.assemble_draft(world.team, ITEM_ID)
    rendered = export.render(world.team, ITEM_ID, "docx", today=TODAY)
    source = tmp_path / "stellungnahme.docx"
    source.write_bytes(rendered.data)
    profile = tmp_path / "lo-profile"  # own profile: no clash with another soffice running
    result = subprocess.run(
        [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180,
    )
    pdf = tmp_path / "stellungnahme.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.exists(), result.stdout + result.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Gemeinsame Stellungnahme" in text and "Lobbyregister-Nr." in text
        assert "Abweichende Auffassung" in text and "{{" not in text
