"""CLI: ``tracker users add|list|passwd|org|demo``.

The command line acts as the local administrator: whoever can run it can open the
database file anyway. Passwords are read from a hidden prompt or, for scripts, from
standard input with ``--password-stdin``; never from an argument (it would end up in
the shell history and the process list).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from tracker.access import auth
from tracker.cli.output import stdout_console
from tracker.demo import members as demo_members
from tracker.errors import UserError
from tracker.storage import open_db
from tracker.vocabulary import Role
from tracker.work import organisations

console = stdout_console()
users_app = typer.Typer(help="Benutzer und Mitgliedsorganisationen verwalten.", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise UserError("Kein Passwort auf der Standardeingabe.")
        return password
    return typer.prompt("Passwort", hide_input=True, confirmation_prompt="Passwort wiederholen")


@users_app.command("add")
def add(
    login: Annotated[str, typer.Argument(help="Benutzername (Kleinbuchstaben, Ziffern, . _ -).")],
    role: Annotated[str, typer.Option("--role", "-r", help=f"{', '.join(Role.codes())}.")] = Role.MEMBER,
    name: Annotated[str | None, typer.Option("--name", "-n", help="Anzeigename.")] = None,
    org: Annotated[str | None, typer.Option("--org", "-o", help="Organisation (Pflicht für member).")] = None,
    email: Annotated[str | None, typer.Option("--email", help="E-Mail-Adresse.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Passwort von stdin lesen.")] = False,
) -> None:
    """Einen Benutzer anlegen."""
    user = auth.create_user(auth.LOCAL_USER, login=login, display_name=name or login,
                            password=_read_password(password_stdin), role=role, organisation_id=org, email=email)
    typer.echo(f"Benutzer {user.id} ({user.role}) angelegt.")


@users_app.command("list")
def list_users() -> None:
    """Alle Benutzer mit Rolle, Organisation und letzter Anmeldung."""
    table = Table("Benutzer", "Name", "Rolle", "Organisation", "aktiv", "letzte Anmeldung")
    for u in auth.list_users(auth.LOCAL_USER):
        last = u["last_login_at"].strftime("%d.%m.%Y %H:%M") if u["last_login_at"] else "–"
        table.add_row(u["id"], u["display_name"], u["role"], u["organisation_id"] or "–",
                      "ja" if u["active"] else "nein", last)
    console.print(table)


@users_app.command("passwd")
def passwd(
    login: Annotated[str, typer.Argument(help="Benutzername.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Passwort von stdin lesen.")] = False,
) -> None:
    """Das Passwort eines Benutzers neu setzen."""
    auth.set_password(auth.LOCAL_USER, login, _read_password(password_stdin))
    typer.echo(f"Passwort von {login} geändert.")


@users_app.command("org")
def org(
    org_id: Annotated[str, typer.Argument(help="Kennung, z. B. sw-musterstadt.")],
    name: Annotated[str, typer.Option("--name", "-n", help="Voller Name.")],
    short_name: Annotated[str | None, typer.Option("--short", help="Kurzname für Tabellen.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="stadtwerk, stadt, gemeinde, ...")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Ansprechperson.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Kontakt-E-Mail.")] = None,
    address: Annotated[str | None, typer.Option("--address", help="Anschrift.")] = None,
) -> None:
    """Eine Mitgliedsorganisation anlegen oder ändern."""
    organisations.save_organisation(auth.LOCAL_USER, {
        "id": org_id, "name": name, "short_name": short_name, "kind": kind, "contact_name": contact,
        "contact_email": email, "address": address})
    typer.echo(f"Organisation {org_id} gespeichert.")


@users_app.command("demo")
def demo() -> None:
    """Demo-Mitglieder und Demo-Zugänge laden (Passwörter stehen auf der Anmeldeseite)."""
    with open_db() as con:
        created = demo_members.seed_demo_members(con)
    typer.echo(f"{created} Demo-Benutzer angelegt.")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
