"""Stellungnahmen: consultation workspace, member positions, matrix, draft, export, submission.

Members see the consultations they were asked about and edit their own organisation's
positions; the team sees everything. All access checks and rules happen in the tracker
functions. The workspace shown follows the address (``?item=``), so a link opens it and a
reload keeps it; the tab and the settings form are kept per workspace.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from tracker import export
from tracker.access import permissions
from tracker.errors import UserError
from tracker.ui import charts, widgets
from tracker.ui.render import escape_markdown, link_markdown
from tracker.ui.session import current_user
from tracker.ui.widgets import fmt_date, fmt_datetime, guarded, person
from tracker.vocabulary import Stance, SubmissionAction, SubmissionChannel, WorkspaceStatus
from tracker.work import organisations, positions, statement, workspaces

ss = st.session_state
user = current_user()
st.title("Stellungnahmen")

flash = ss.pop("st_flash", None)
if flash:
    st.success(flash)


def done(message: str) -> None:
    ss["st_flash"] = message
    st.rerun()


with guarded():
    spaces = workspaces.workspaces_for(user)
    candidates = workspaces.candidates(user) if user.is_team else []

if user.is_team:
    with st.expander("Neuen Arbeitsbereich anlegen", expanded=not spaces):
        if not candidates:
            st.caption("Keine Meldung mit dem Status „Stellungnahme geplant“ ohne Arbeitsbereich. "
                       "Den Status setzt das Team im Vorgang.")
        else:
            titles = {c["id"]: f"{c['title']} (Frist {fmt_date(c['deadline'])})" for c in candidates}
            with st.form("ws_new"):
                chosen = st.selectbox("Meldung", list(titles), format_func=titles.get, key="ws_new_item")
                addressee = st.text_area("Empfänger (Anschrift, eine Zeile je Zeile)", key="ws_new_addressee")
                reference = st.text_input("Aktenzeichen des Empfängers", key="ws_new_reference")
                if st.form_submit_button("Arbeitsbereich anlegen", type="primary"):
                    with guarded():
                        workspaces.open_workspace(user, chosen, addressee=addressee or None,
                                                     reference=reference or None)
                    ss["st_select_next"] = chosen  # the new workspace is the one shown next
                    ss["st_tab"] = "Einstellungen"
                    done("Arbeitsbereich angelegt. Abschnitte und Mitglieder unter „Einstellungen“ eintragen.")

if not spaces:
    st.info("Noch keine Konsultation zur Mitwirkung freigegeben." if not user.is_team
            else "Noch kein Arbeitsbereich angelegt.")
    st.stop()

by_id = {w.item_id: w for w in spaces}
ids = list(by_id)
# The address decides which workspace is shown when it changed from outside (a link, a
# new tab, a reload); otherwise the select box does, and the address follows it.
from_url = st.query_params.get("item")
wanted = ss.pop("st_select_next", None) or (from_url if from_url != ss.get("st_item_url") else None)
if wanted and wanted not in ids:
    # One message for "does not exist" and "not for you", as in the library's access rule.
    st.warning("Die verlinkte Konsultation ist für Sie nicht freigegeben oder gibt es nicht.")
# Kept in our own key: the select box's label changes with the status (a submission), and
# Streamlit would take such a box for a new widget and fall back to the first workspace.
shown = wanted if wanted in ids else ss.get("st_item") if ss.get("st_item") in ids else ids[0]
item_id = st.selectbox("Konsultation", ids, index=ids.index(shown), key=f"st_select_{shown}",
                       format_func=lambda i: f"{by_id[i].title} – {by_id[i].status_label}")
ss["st_item"] = item_id
st.query_params["item"] = item_id
ss["st_item_url"] = item_id
with guarded():
    matrix = positions.matrix(user, item_id)
    sent = statement.submissions(user, item_id)
ws = matrix.workspace
st.markdown(f"**Status:** {ws.status_label} · **Eingabe der Mitglieder bis:** {fmt_date(ws.member_input_due)}"
            f" · **Frist der Anhörung:** {fmt_date(ws.external_deadline)}")
facts = []
if ws.link:
    facts.append("**Dokument:** " + link_markdown("Originaldokument öffnen", ws.link))
if ws.reference:
    facts.append(f"Aktenzeichen: {escape_markdown(ws.reference)}")
if facts:
    st.markdown(" · ".join(facts))

active = [s for s in sent if s["withdrawn_at"] is None]
for s in active:
    st.info(f"Eingereicht am {fmt_date(s['submitted_on'])} per {s['channel']}"
            f"{' an ' + s['recipient'] if s['recipient'] else ''} – Version {s['version']}"
            f"{', Datei ' + s['file_name'] if s['file_name'] else ''}"
            f"{' (SHA-256 ' + s['file_sha256'][:12] + '…)' if s['file_sha256'] else ''}")

stance_codes = list(Stance.codes())


def position_form(org_id: str, section: workspaces.Section, prefix: str) -> None:
    """One form per section; ``prefix`` keeps widget keys apart between views."""
    current = matrix.get(section.id, org_id)
    editable = permissions.can_edit_position(user, ws.as_row(), org_id)
    with st.form(f"{prefix}_{section.id}_{org_id}"):
        stance = st.radio("Haltung", stance_codes, format_func=Stance.label_of, horizontal=True,
                          index=stance_codes.index(current.stance) if current else None,
                          key=f"{prefix}_stance_{section.id}_{org_id}", disabled=not editable)
        reason = st.text_area("Begründung", value=current.reason if current else "",
                              key=f"{prefix}_reason_{section.id}_{org_id}", disabled=not editable)
        wording = st.text_area("Formulierungsvorschlag (optional)", value=current.proposed_wording if current else "",
                               key=f"{prefix}_wording_{section.id}_{org_id}", disabled=not editable)
        if current and current.updated_at:
            st.caption(f"Zuletzt geändert von {escape_markdown(person(current.updated_by))} am "
                       f"{fmt_datetime(current.updated_at)}")
        if st.form_submit_button("Position speichern", disabled=not editable):
            if stance is None:
                st.error("Bitte eine Haltung wählen.")
            else:
                with guarded():
                    positions.record_position(user, item_id, section.id, org_id, stance, reason, wording)
                done(f"Position zu „{section.heading}“ gespeichert.")


if not user.is_team:
    own = user.organisation_id or ""
    if ws.status != WorkspaceStatus.OFFEN:
        st.warning("Die Eingabe ist geschlossen; Ihre Positionen sind nur noch lesbar.")
    gaps = matrix.missing().get(own, [])
    st.markdown(f"**{len(ws.sections) - len(gaps)} von {len(ws.sections)}** Abschnitten beantwortet.")
    for section in ws.sections:
        st.subheader(f"{section.ordinal}. {section.heading}")
        if section.body:
            st.caption(section.body)
        position_form(own, section, "m")
    if ws.positions_shared:
        st.subheader("Positionen aller Mitglieder")
        st.table(pd.DataFrame(matrix.rows())[["abschnitt", "organisation", "haltung", "begruendung"]]
                 .rename(columns={"abschnitt": "Abschnitt", "organisation": "Mitglied", "haltung": "Haltung",
                                  "begruendung": "Begründung"}))
    st.stop()

TABS = ["Matrix", "Entwurf", "Export & Einreichung", "Einstellungen"]
tab_matrix, tab_draft, tab_export, tab_settings = st.tabs(TABS, key="st_tab", on_change="rerun")

with tab_matrix:
    if not ws.sections or not ws.members:
        st.info("Erst Abschnitte und angefragte Mitglieder unter „Einstellungen“ eintragen.")
    else:
        rows = matrix.rows()
        st.altair_chart(charts.german(positions.matrix_chart(matrix)), width="stretch")
        grid = (pd.DataFrame(rows).pivot(index="abschnitt", columns="organisation", values="haltung")
                .reindex([s.heading for s in ws.sections]).rename_axis(index="Abschnitt", columns=None))
        st.table(grid)
        waiting = matrix.not_answered()
        gaps = matrix.missing()
        if waiting:
            st.warning("Noch keine Rückmeldung: " + ", ".join(o["name"] for o in waiting))
        partial = [o for o in matrix.organisations if o["id"] in gaps and o not in waiting]
        for org in partial:
            st.caption(f"{org['name']}: {len(gaps[org['id']])} Abschnitt(e) offen")
        if not gaps:
            st.success("Alle angefragten Mitglieder haben zu allen Abschnitten geantwortet.")
        details = [r for r in rows if r["haltung_code"] != positions.NOT_ANSWERED]
        if details:
            st.markdown("**Begründungen und Formulierungsvorschläge**")
            st.table(pd.DataFrame(details)[["abschnitt", "organisation", "haltung", "begruendung", "formulierung"]]
                     .rename(columns={"abschnitt": "Abschnitt", "organisation": "Mitglied", "haltung": "Haltung",
                                      "begruendung": "Begründung", "formulierung": "Formulierung"}))
        st.download_button("Matrix als CSV", positions.matrix_csv(matrix).encode("utf-8-sig"),
                           file_name=f"positionen-{item_id}.csv", mime="text/csv", key="csv_download")
        with st.expander("Position für ein Mitglied erfassen (z. B. telefonisch übermittelt)"):
            names = {o["id"]: o["name"] for o in matrix.organisations}
            org_id = st.selectbox("Mitglied", list(names), format_func=names.get, key="team_pos_org")
            sections = {s.id: s for s in ws.sections}
            section_id = st.selectbox("Abschnitt", list(sections), format_func=lambda i: sections[i].heading,
                                      key="team_pos_section")
            position_form(org_id, sections[section_id], "t")

with tab_draft:
    with guarded():
        versions = statement.versions(user, item_id)
    st.caption(f"Gemeinsame Position heißt: alle angefragten Mitglieder, die Stellung genommen haben, haben "
               f"dieselbe Haltung, und mindestens {ws.needed_for_consensus} haben Stellung genommen "
               "(einstellbar unter „Einstellungen“). Alles andere wird als „[OFFEN]“ markiert.")
    if st.button("Entwurf aus der Matrix zusammenstellen", key="draft_assemble",
                 help="Legt eine neue Version an; frühere Versionen bleiben erhalten."):
        with guarded():
            made = statement.assemble_draft(user, item_id)
        done(f"Version {made['version']} aus der Positionsmatrix zusammengestellt.")
    if not versions:
        st.info("Noch kein Entwurf. Sobald Positionen vorliegen: „Entwurf aus der Matrix zusammenstellen“.")
    else:
        latest = versions[-1]
        flags = statement.open_flags(latest["body_md"])
        if flags:
            st.warning(f"Version {latest['version']} enthält {flags} offene Stelle(n) „{statement.NO_INPUT_FLAG}“: "
                       "Abschnitte ohne gemeinsame Position. Bitte im Text entscheiden und die Markierung entfernen.")
        st.caption(f"Version {latest['version']} ({latest['origin']}) von {escape_markdown(person(latest['author']))}, "
                   f"{fmt_datetime(latest['created_at'])}. Die Kommentare <!-- quellen: … --> verbinden "
                   "Absätze mit den Positionen; sie erscheinen nicht im Export.")
        body = st.text_area("Entwurf (Markdown)", value=latest["body_md"], height=480,
                            key=f"draft_text_{latest['id']}")
        note = st.text_input("Notiz zur Änderung", key=f"draft_note_{latest['id']}")
        if st.button("Als neue Version speichern", type="primary", key="draft_save"):
            try:
                made = statement.save_version(user, item_id, body, note or None)
            except UserError as exc:
                st.error(str(exc))
            else:
                done(f"Version {made['version']} gespeichert.")
        with st.expander("Vorschau"):
            st.markdown(statement.strip_sources(latest["body_md"]))
        with st.expander("Herkunft der Absätze"):
            for text, labels in statement.explain_sources(latest["body_md"], matrix):
                st.markdown(f"> {text[:240]}{'…' if len(text) > 240 else ''}")
                st.caption(" · ".join(labels))
        st.markdown("**Versionen**")
        st.table(pd.DataFrame([{"Version": v["version"], "Art": v["origin"], "von": person(v["author"]),
                                "am": fmt_datetime(v["created_at"]), "Notiz": v["note"] or ""}
                               for v in versions]))
        if len(versions) > 1:
            numbers = [v["version"] for v in versions]
            c1, c2 = st.columns(2)
            old = c1.selectbox("Vergleiche Version", numbers, index=len(numbers) - 2, key="diff_old")
            new = c2.selectbox("mit Version", numbers, index=len(numbers) - 1, key="diff_new")
            with guarded():
                text = statement.diff(user, item_id, old, new)
            st.code(text or "Keine Unterschiede.", language="diff")

with tab_export:
    with guarded():
        versions = statement.versions(user, item_id)
    if not versions:
        st.info("Erst einen Entwurf anlegen.")
    else:
        numbers = [v["version"] for v in versions]
        number = st.selectbox("Version", numbers, index=len(numbers) - 1, key=f"export_version_{item_id}")
        flags = statement.open_flags(next(v["body_md"] for v in versions if v["version"] == number))
        confirmed = True
        if flags:
            st.warning(f"Version {number} enthält noch {flags} offene Stelle(n) „{statement.NO_INPUT_FLAG}“ "
                       "(Abschnitte ohne gemeinsame Position). So sollte das Schreiben nicht versandt werden: "
                       "bitte erst im Entwurf klären.")
            confirmed = st.checkbox("Trotzdem als Schreiben herunterladen (z. B. zur Abstimmung)",
                                    key=f"export_confirm_{item_id}_{number}")
        st.caption("Das Schreiben spricht für den Verband: ohne Versionsnummer und interne Termine"
                   + ("; Mitglieder werden namentlich genannt (Einstellung)." if ws.name_members
                      else "; Mitglieder werden nicht namentlich genannt (änderbar unter „Einstellungen“)."))
        stem = export.file_stem(ws.title, number)
        c1, c2 = st.columns(2)
        # The files are built when the button is clicked (same letter and day: same bytes).
        c1.download_button("Schreiben als DOCX", lambda: export.render(user, item_id, "docx", number).data,
                           file_name=f"{stem}.docx", mime=export.FORMATS["docx"], key="docx_download",
                           type="primary", on_click="ignore", disabled=not confirmed)
        c2.download_button("Schreiben als Markdown", lambda: export.render(user, item_id, "md", number).data,
                           file_name=f"{stem}.md", mime=export.FORMATS["md"], key="md_download",
                           on_click="ignore", disabled=not confirmed)
        c1.download_button("Interne Fassung (DOCX)",
                           lambda: export.render_internal(user, item_id, "docx", number).data,
                           file_name=f"Intern-{stem}.docx", mime=export.FORMATS["docx"], key="internal_docx",
                           on_click="ignore", help="Mit Zuordnung zu den Mitgliedern, Positionsmatrix, Version "
                           "und internen Terminen – nicht zum Versand.")
        c2.download_button("Interne Fassung (Markdown)",
                           lambda: export.render_internal(user, item_id, "md", number).data,
                           file_name=f"Intern-{stem}.md", mime=export.FORMATS["md"], key="internal_md",
                           on_click="ignore")

        st.markdown("**Einreichung**")
        if not active:
            with st.form(f"submission_{item_id}"):
                c1, c2, c3 = st.columns(3)
                on = c1.date_input("Eingereicht am", value=widgets.today(), max_value=widgets.today(),
                                   format="DD.MM.YYYY", key=f"sub_date_{item_id}")
                channel = c2.selectbox("Weg", SubmissionChannel.codes(), format_func=SubmissionChannel.label_of,
                                       key=f"sub_channel_{item_id}")
                fmt = c3.selectbox("Gesendete Datei", list(export.FORMATS), format_func=str.upper,
                                   key=f"sub_format_{item_id}")
                recipient = st.text_input("Empfänger (E-Mail-Adresse, Portal oder Anschrift)",
                                          key=f"sub_recipient_{item_id}")
                note = st.text_input("Notiz (nach Fristende: Grund, z. B. vereinbarte Fristverlängerung)",
                                     key=f"sub_note_{item_id}")
                st.caption("Das Festhalten schließt die Eingabe der Mitglieder, setzt den Vorgang auf "
                           "„Abgegeben“ und beendet seine Fristerinnerungen.")
                if st.form_submit_button("Einreichung festhalten", type="primary"):
                    try:
                        # The file sent that day carries that day's date: its SHA-256 is the one kept.
                        sent_file = export.render(user, item_id, fmt, number, today=on)
                        statement.record_submission(
                            user, item_id, version=number, submitted_on=on, channel=channel,
                            file_bytes=sent_file.data, file_name=sent_file.file_name, file_format=fmt,
                            recipient=recipient, note=note, today=widgets.today())
                    except UserError as exc:
                        st.error(str(exc))
                    else:
                        done(f"Einreichung von Version {number} festgehalten; die Eingabe der Mitglieder ist "
                             "geschlossen und der Vorgang steht auf „Abgegeben“.")
        else:
            current = active[0]
            with st.expander("Einreichung korrigieren"), st.form(f"sub_fix_{current['id']}"):
                c1, c2 = st.columns(2)
                on = c1.date_input("Eingereicht am", value=current["submitted_on"], max_value=widgets.today(),
                                   format="DD.MM.YYYY", key=f"fix_date_{current['id']}")
                channels = list(SubmissionChannel.codes())
                channel = c2.selectbox("Weg", channels, index=channels.index(current["channel"])
                                       if current["channel"] in channels else 0, key=f"fix_channel_{current['id']}")
                recipient = st.text_input("Empfänger", value=current["recipient"] or "",
                                          key=f"fix_recipient_{current['id']}")
                note = st.text_input("Notiz", value=current["note"] or "", key=f"fix_note_{current['id']}")
                reason = st.text_input("Grund der Korrektur (Pflicht)", key=f"fix_reason_{current['id']}")
                if st.form_submit_button("Korrektur speichern"):
                    try:
                        statement.correct_submission(user, item_id, current["id"], reason=reason, submitted_on=on,
                                                     channel=channel, recipient=recipient.strip() or None,
                                                     note=note.strip() or None, today=widgets.today())
                    except UserError as exc:
                        st.error(str(exc))
                    else:
                        done("Einreichung korrigiert; die alten Angaben stehen im Verlauf.")
            with st.expander("Einreichung zurückziehen"), st.form(f"sub_withdraw_{current['id']}"):
                st.caption("Zum Beispiel wenn sie versehentlich erfasst wurde. Der Eintrag bleibt mit Grund im "
                           "Verlauf; der Vorgang steht danach wieder auf „Stellungnahme geplant“.")
                reason = st.text_input("Grund (Pflicht)", key=f"withdraw_reason_{current['id']}")
                if st.form_submit_button("Zurückziehen"):
                    try:
                        statement.withdraw_submission(user, item_id, current["id"], reason=reason)
                    except UserError as exc:
                        st.error(str(exc))
                    else:
                        done("Einreichung zurückgezogen.")
        with guarded():
            history = statement.submission_history(user, item_id)
        if history:
            st.markdown("**Verlauf der Einreichung**")
            st.table(pd.DataFrame([{
                "Zeitpunkt": fmt_datetime(e["occurred_at"]), "Wer": person(e["actor"]),
                "Was": SubmissionAction.label_of(e["action"]),
                "Änderung": "; ".join(f"{statement.SUBMISSION_LABELS.get(k, k)}: {widgets.fmt_value(v[0])} → "
                                      f"{widgets.fmt_value(v[1])}" for k, v in (e["changes"] or {}).items()),
                "Grund / Notiz": e["reason"] or ""} for e in history]))

with tab_settings:
    orgs = {o["id"]: o["name"] for o in organisations.organisations(members_only=True)}

    def key(name: str) -> str:  # widget state per workspace: one workspace's form never shows another's
        return f"set_{name}_{item_id}"

    loaded_key = key("loaded")
    if loaded_key not in ss:  # what the form was loaded with; a save writes only what differs from it
        loaded = workspaces.WorkspaceSettings.of(ws)
        ss[loaded_key] = loaded
        for name, value in (("title", loaded.title), ("addressee", loaded.addressee or ""),
                            ("reference", loaded.reference or ""), ("due", loaded.member_input_due),
                            ("deadline", loaded.external_deadline), ("status", loaded.status),
                            ("shared", loaded.positions_shared), ("names", loaded.name_members),
                            ("quorum", loaded.quorum or ws.needed_for_consensus),
                            ("salutation", loaded.salutation or ""), ("members", list(loaded.member_ids)),
                            ("all_cosign", loaded.cosigner_ids is None),
                            ("cosigners", [c for c in loaded.cosigner_ids or () if c in orgs])):
            ss[key(name)] = value
    loaded = ss[loaded_key]
    with st.form(key("form")):
        title = st.text_input("Titel der Konsultation (Betreff)", key=key("title"))
        addressee = st.text_area("Empfänger", key=key("addressee"))
        c1, c2, c3 = st.columns(3)
        reference = c1.text_input("Aktenzeichen", key=key("reference"))
        due = c2.date_input("Eingabe der Mitglieder bis", format="DD.MM.YYYY", key=key("due"))
        deadline = c3.date_input("Frist der Anhörung", format="DD.MM.YYYY", key=key("deadline"))
        status_codes = list(WorkspaceStatus.codes())
        status = c1.selectbox("Status", status_codes, format_func=WorkspaceStatus.label_of, key=key("status"))
        shared = c2.checkbox("Mitglieder sehen die Positionen der anderen", key=key("shared"))
        members = st.multiselect("Angefragte Mitglieder", list(orgs), format_func=orgs.get,
                                 select_all=False, key=key("members"),
                                 placeholder="Mitglieder wählen")
        st.markdown("**Gemeinsame Position und Schreiben**")
        c1, c2 = st.columns(2)
        quorum = c1.number_input("Mindestzahl der Mitglieder mit Position für eine gemeinsame Position",
                                 min_value=1, step=1, key=key("quorum"),
                                 help="Ohne Änderung: mehr als die Hälfte der angefragten Mitglieder.")
        salutation = c2.text_input("Anrede im Schreiben", key=key("salutation"),
                                   placeholder=workspaces.DEFAULT_SALUTATION)
        names = st.checkbox("Mitglieder im Schreiben namentlich nennen (Zuordnung von Begründungen, abweichende "
                            "Auffassungen, Mitzeichnende)", key=key("names"))
        all_cosign = st.checkbox("Mitzeichnende: alle beteiligten Mitglieder", key=key("all_cosign"))
        cosigners = st.multiselect("…oder nur diese", list(orgs), format_func=orgs.get,
                                   select_all=False, key=key("cosigners"),
                                   placeholder="Mitglieder wählen")
        if st.form_submit_button("Einstellungen speichern", type="primary"):
            default_quorum = loaded.quorum is None and quorum == ws.needed_for_consensus
            wanted = replace(loaded, title=title, addressee=addressee, reference=reference, member_input_due=due,
                             external_deadline=deadline, status=status, positions_shared=shared,
                             name_members=names, quorum=None if default_quorum else int(quorum),
                             salutation=salutation, cosigner_ids=None if all_cosign else tuple(cosigners),
                             member_ids=tuple(members))
            try:
                written = workspaces.save_settings(user, loaded, wanted)
            except UserError as exc:
                st.error(str(exc))
            else:
                for name in [k for k in ss if str(k).startswith("set_") and str(k).endswith(f"_{item_id}")]:
                    del ss[name]  # loaded again from the database on the next run
                done("Einstellungen gespeichert: " + ", ".join(written) + "." if written else "Keine Änderung.")

    st.markdown("**Abschnitte** (Fragen oder Artikel, die konsultiert werden)")
    table = pd.DataFrame([{"id": s.id, "Bezeichnung": s.label or "", "Titel": s.title, "Erläuterung": s.body or ""}
                          for s in ws.sections], columns=["id", "Bezeichnung", "Titel", "Erläuterung"])
    edited = st.data_editor(table, num_rows="dynamic", hide_index=True, key=f"sections_{item_id}",
                            column_config={"id": st.column_config.NumberColumn("Nr.", disabled=True)},
                            width="stretch")
    pasted = st.text_area("Abschnitte aus Text anfügen (eine Zeile je Abschnitt, z. B. „§ 3 – Begriffe“)",
                          key=f"sections_paste_{item_id}")
    if st.button("Abschnitte speichern", key=f"sections_save_{item_id}"):
        def cell(value: object) -> str | None:
            return value.strip() or None if isinstance(value, str) else None

        rows = [{"id": None if pd.isna(r["id"]) else int(r["id"]), "label": cell(r["Bezeichnung"]),
                 "title": cell(r["Titel"]), "body": cell(r["Erläuterung"])}
                for r in edited.to_dict("records")]
        with guarded():
            workspaces.set_sections(user, item_id, rows + workspaces.parse_sections(pasted or ""))
        ss.pop(f"sections_paste_{item_id}", None)
        done("Abschnitte gespeichert.")
