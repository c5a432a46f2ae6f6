"""``tracker users …`` and ``tracker export …`` through the Typer commands."""

from __future__ import annotations

import typer
from docx import Document
from typer.testing import CliRunner

from tracker.access import auth
from tracker.cli import export as export_cmd
from tracker.cli import users as users_cmd
from tracker.errors import UserError
from tracker.work import statement

from .conftest import ITEM_ID

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    users_cmd.register(app)
    export_cmd.register(app)
    return app


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(_app(), list(args), input=stdin)


def test_users_add_list_passwd(db_path):
    assert invoke("users", "org", "sw-x", "--name", "Stadtwerke X").exit_code == 0
    result = invoke("users", "add", "xaver", "--role", "member", "--org", "sw-x", "--name", "Xaver",
                    "--password-stdin", stdin="geheimes-passwort\n")
    assert result.exit_code == 0, result.output
    assert "geheimes-passwort" not in result.output
    assert auth.authenticate("xaver", "geheimes-passwort").organisation_id == "sw-x"
    listed = invoke("users", "list")
    assert "xaver" in listed.output and "member" in listed.output
    prompted = invoke("users", "passwd", "xaver", stdin="neues-passwort-1\nneues-passwort-1\n")
    assert prompted.exit_code == 0, prompted.output
    assert auth.authenticate("xaver", "neues-passwort-1").id == "xaver"


def test_users_add_refuses_member_without_org(db_path):
    result = invoke("users", "add", "yvonne", "--role", "member", "--password-stdin", stdin="langes-passwort\n")
    assert isinstance(result.exception, UserError) and "Organisation" in str(result.exception)


def test_users_demo_seeds_marked_demo_users(db_path):
    assert "5 Demo-Benutzer" in invoke("users", "demo").output
    assert auth.demo_logins_present()
    assert auth.authenticate("team", "demo-team-2026").role == "team"
    assert "0 Demo-Benutzer" in invoke("users", "demo").output  # loading twice changes nothing


def test_export_command_writes_docx_and_md(world, workspace, tmp_path):
    statement.assemble_draft(world.team, ITEM_ID)
    out = tmp_path / "s.docx"
    result = invoke("export", "--item", ITEM_ID, "--format", "docx", "--out", str(out))
    assert result.exit_code == 0, result.output
    doc = Document(str(out))
    assert any(p.style.name == "Heading 2" and "Begriffsbestimmungen" in p.text for p in doc.paragraphs)
    again = invoke("export", "--item", ITEM_ID, "--out", str(out))
    assert isinstance(again.exception, UserError)  # no silent overwrite
    md = tmp_path / "s.md"
    assert invoke("export", "--item", ITEM_ID, "--format", "md", "--out", str(md)).exit_code == 0
    assert "## 1. § 3 – Begriffsbestimmungen" in md.read_text(encoding="utf-8")


def test_export_unknown_item_is_one_clear_error(db_path, tmp_path):
    result = invoke("export", "--item", "gibt-es-nicht", "--out", str(tmp_path / "x.docx"))
    assert isinstance(result.exception, UserError) and "keinen Arbeitsbereich" in str(result.exception)
    assert not (tmp_path / "x.docx").exists()


def test_export_without_draft_hints_at_assemble_and_assemble_builds_one(world, workspace, tmp_path):
    out = tmp_path / "s.md"
    missing = invoke("export", "--item", ITEM_ID, "--format", "md", "--out", str(out))
    assert isinstance(missing.exception, UserError) and "--assemble" in str(missing.exception)
    assert not out.exists()
    built = invoke("export", "--item", ITEM_ID, "--format", "md", "--out", str(out), "--assemble")
    assert built.exit_code == 0, built.output
    assert "Version 1" in built.output and "Begriffsbestimmungen" in out.read_text(encoding="utf-8")
    assert len(statement.versions(world.team, ITEM_ID)) == 1
