"""Stellungnahmen: consultation workspace, member positions, matrix, draft, export, submission.

Members see the consultations they were asked about and edit their own organisation's
positions; the team sees everything. All access checks happen in the tracker functions.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from tracker import export
from tracker.access import permissions
from tracker.errors import UserError
from tracker.ui.session import current_user
from tracker.ui.widgets import guarded
from tracker.vocabulary import Stance, WorkspaceStatus
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


def fmt_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "–"


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
                    ss["st_item"] = chosen
                    done("Arbeitsbereich angelegt. Abschnitte und Mitglieder unter „Einstellungen“ eintragen.")

if not spaces:
    st.info("Noch keine Konsultation zur Mitwirkung freigegeben." if not user.is_team
            else "Noch kein Arbeitsbereich angelegt.")
    st.stop()

by_id = {w.item_id: w for w in spaces}
wanted = st.query_params.get("item") or ss.get("st_item")
ids = list(by_id)
item_id = st.selectbox("Konsultation", ids, index=ids.index(wanted) if wanted in ids else 0,
                       format_func=lambda i: f"{by_id[i].title} – {by_id[i].status_label}", key="st_select")
ss["st_item"] = item_id
with guarded():
    matrix = positions.matrix(user, item_id)
ws = matrix.workspace
st.markdown(f"**Status:** {ws.status_label} · **Eingabe der Mitglieder bis:** {fmt_date(ws.member_input_due)}"
            f" · **Frist der Anhörung:** {fmt_date(ws.external_deadline)}")
if ws.reference:
    st.caption(f"Aktenzeichen: {ws.reference}")

with guarded():
    sent = statement.submissions(user, item_id)
for s in sent:
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
        if current:
            st.caption(f"Zuletzt geändert von {current.updated_by} am "
                       f"{current.updated_at:%d.%m.%Y %H:%M}" if current.updated_at else "")
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
        st.table(pd.DataFrame(matrix.rows())[["abschnitt", "organisation", "haltung", "begruendung"]])
    st.stop()

tab_matrix, tab_draft, tab_export, tab_settings = st.tabs(["Matrix", "Entwurf", "Export & Einreichung",
                                                          "Einstellungen"])

with tab_matrix:
    if not ws.sections or not ws.members:
        st.info("Erst Abschnitte und angefragte Mitglieder unter „Einstellungen“ eintragen.")
    else:
        rows = matrix.rows()
        st.altair_chart(positions.matrix_chart(matrix), width="stretch")
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
    if st.button("Entwurf aus der Matrix zusammenstellen", key="draft_assemble",
                 help="Legt eine neue Version an; frühere Versionen bleiben erhalten."):
        with guarded():
            made = statement.assemble_draft(user, item_id)
        done(f"Version {made['version']} aus der Positionsmatrix zusammengestellt.")
    if not versions:
        st.info("Noch kein Entwurf. Sobald Positionen vorliegen: „Entwurf aus der Matrix zusammenstellen“.")
    else:
        latest = versions[-1]
        st.caption(f"Version {latest['version']} ({latest['origin']}) von {latest['author']}, "
                   f"{latest['created_at']:%d.%m.%Y %H:%M}. Die Kommentare <!-- quellen: … --> verbinden "
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
        st.table(pd.DataFrame([{"Version": v["version"], "Art": v["origin"], "von": v["author"],
                                "am": f"{v['created_at']:%d.%m.%Y %H:%M}", "Notiz": v["note"] or ""}
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
        number = st.selectbox("Version", numbers, index=len(numbers) - 1, key="export_version")
        flags = statement.open_flags(next(v["body_md"] for v in versions if v["version"] == number))
        if flags:
            st.warning(f"Version {number} enthält noch {flags} offene Stelle(n) „{statement.NO_INPUT_FLAG}“. "
                       "Vor dem Versand im Entwurf klären.")
        stem = export.file_stem(ws.title, number)
        c1, c2 = st.columns(2)
        # The files are built when the button is clicked (same letter and day: same bytes).
        c1.download_button("DOCX herunterladen", lambda: export.render(user, item_id, "docx", number).data,
                           file_name=f"{stem}.docx", mime=export.FORMATS["docx"], key="docx_download",
                           type="primary", on_click="ignore")
        c2.download_button("Markdown herunterladen", lambda: export.render(user, item_id, "md", number).data,
                           file_name=f"{stem}.md", mime=export.FORMATS["md"], key="md_download",
                           on_click="ignore")
        with st.form("submission"):
            st.markdown("**Einreichung festhalten**")
            c1, c2, c3 = st.columns(3)
            on = c1.date_input("Eingereicht am", value=date.today(), format="DD.MM.YYYY", key="sub_date")
            channel = c2.selectbox("Weg", statement.CHANNELS, key="sub_channel")
            fmt = c3.selectbox("Gesendete Datei", ["docx", "md"], key="sub_format")
            recipient = st.text_input("Empfänger (Adresse oder Portal)", key="sub_recipient")
            note = st.text_input("Notiz", key="sub_note")
            if st.form_submit_button("Einreichung speichern"):
                with guarded():
                    sent_file = export.render(user, item_id, fmt, number)
                    statement.record_submission(user, item_id, version=number, submitted_on=on, channel=channel,
                                                file_bytes=sent_file.data, file_name=sent_file.file_name,
                                                file_format=fmt, recipient=recipient or None, note=note or None)
                done(f"Einreichung von Version {number} gespeichert.")

with tab_settings:
    orgs = {o["id"]: o["name"] for o in organisations.organisations(members_only=True)}
    with st.form("ws_settings"):
        title = st.text_input("Titel der Konsultation (Betreff)", value=ws.title, key="set_title")
        addressee = st.text_area("Empfänger", value=ws.addressee or "", key="set_addressee")
        c1, c2, c3 = st.columns(3)
        reference = c1.text_input("Aktenzeichen", value=ws.reference or "", key="set_reference")
        due = c2.date_input("Eingabe der Mitglieder bis", value=ws.member_input_due, format="DD.MM.YYYY",
                            key="set_due")
        deadline = c3.date_input("Frist der Anhörung", value=ws.external_deadline, format="DD.MM.YYYY",
                                 key="set_deadline")
        status_codes = list(WorkspaceStatus.codes())
        status = c1.selectbox("Status", status_codes, index=status_codes.index(ws.status),
                              format_func=WorkspaceStatus.label_of, key="set_status")
        shared = c2.checkbox("Mitglieder sehen die Positionen der anderen", value=ws.positions_shared,
                             key="set_shared")
        members = st.multiselect("Angefragte Mitglieder", list(orgs), default=[m["id"] for m in ws.members],
                                 format_func=orgs.get, key="set_members")
        all_cosign = st.checkbox("Mitzeichnende: alle beteiligten Mitglieder", value=ws.cosigner_ids is None,
                                 key="set_all_cosign")
        cosigners = st.multiselect("…oder nur diese", list(orgs), default=[c for c in ws.cosigner_ids or []
                                                                           if c in orgs],
                                   format_func=orgs.get, key="set_cosigners")
        if st.form_submit_button("Einstellungen speichern", type="primary"):
            with guarded():
                workspaces.update_workspace(
                    user, item_id, title=title, addressee=addressee or None, reference=reference or None,
                    member_input_due=due, external_deadline=deadline, status=status, positions_shared=shared,
                    cosigner_ids=None if all_cosign else cosigners)
                workspaces.set_members(user, item_id, members)
            done("Einstellungen gespeichert.")

    st.markdown("**Abschnitte** (Fragen oder Artikel, die konsultiert werden)")
    table = pd.DataFrame([{"id": s.id, "Bezeichnung": s.label or "", "Titel": s.title, "Erläuterung": s.body or ""}
                          for s in ws.sections], columns=["id", "Bezeichnung", "Titel", "Erläuterung"])
    edited = st.data_editor(table, num_rows="dynamic", hide_index=True, key=f"sections_{item_id}",
                            column_config={"id": st.column_config.NumberColumn("Nr.", disabled=True)},
                            width="stretch")
    pasted = st.text_area("Abschnitte aus Text anfügen (eine Zeile je Abschnitt, z. B. „§ 3 – Begriffe“)",
                          key="sections_paste")
    if st.button("Abschnitte speichern", key="sections_save"):
        def cell(value: object) -> str | None:
            return value.strip() or None if isinstance(value, str) else None

        rows = [{"id": None if pd.isna(r["id"]) else int(r["id"]), "label": cell(r["Bezeichnung"]),
                 "title": cell(r["Titel"]), "body": cell(r["Erläuterung"])}
                for r in edited.to_dict("records")]
        with guarded():
            workspaces.set_sections(user, item_id, rows + workspaces.parse_sections(pasted or ""))
        ss.pop("sections_paste", None)
        done("Abschnitte gespeichert.")
