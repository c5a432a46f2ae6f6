"""Vorgang: one publication with its evidence, deadline, history, and the team's decisions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.ui import widgets
from tracker.ui.linked import render_linked_section
from tracker.ui.mail import render_hearings, render_mail
from tracker.ui.render import describe_model_version, escape_markdown, evidence_spans, highlight, link_markdown
from tracker.ui.session import current_user
from tracker.ui.widgets import guarded, topic_label
from tracker.vocabulary import (
    ITEM_FIELD_NAMES,
    DeadlineOrigin,
    Stage,
    jurisdiction_label,
    language_label,
    relevance_label,
)
from tracker.work import decisions, inbox, lateness, statement, triage, views

ss = st.session_state
user = current_user()
day = widgets.today()
land = widgets.land()
item_id = st.query_params.get("item") or ss.get("vorgang_item")

if not item_id:
    st.title("Vorgang")
    st.info("Bitte im Eingang einen Eintrag öffnen.")
    st.page_link("app_pages/eingang.py", label="Zum Eingang", icon=":material/inbox:")
    st.stop()
ss["vorgang_item"] = item_id
st.query_params["item"] = item_id

with guarded():
    read = views.item(user, item_id)
shift, item, owners = read.shift, read.data.item, read.data.owners
events, labels = ([], [])
if item is not None:
    with guarded():
        events, labels = decisions.history(user, item_id)

if item is None:
    st.title("Vorgang")
    st.warning("Diesen Eintrag gibt es nicht (mehr).")
    st.page_link("app_pages/eingang.py", label="Zum Eingang", icon=":material/inbox:")
    st.stop()

widgets.demo_banner(shift)
flash = ss.pop("vorgang_flash", None)
if flash:
    st.success(flash)

deadline = item["deadline"]
evidence = item["evidence"]
names = widgets.topic_labels()
title_html = highlight(item["title"], evidence_spans(item["title"], evidence, "title"), names)
st.markdown(f'<div style="font-size:1.7rem;font-weight:700;line-height:1.3">{title_html}</div>',
            unsafe_allow_html=True)
marks = [widgets.status_badge(item["status"]), widgets.deadline_badge(deadline, day)]
if item["is_changed"]:
    marks.append(widgets.badge("GEÄNDERT", "#db2777"))
if item["is_demo"]:
    marks.append(widgets.badge("Demodaten", "#64748b"))
mail = (item["extra"] or {}).get("mail") or {}
marks += widgets.arrival_badges(item["first_seen_at"], deadline, item["is_baseline"], mail.get("reading"))
st.markdown("".join(marks), unsafe_allow_html=True)
if note := widgets.implausible_dates_note(item["extra"]):
    st.warning(note)

main, side = st.columns([3, 2], gap="large")
with main:
    sources = [f"{link_markdown(s['name'], s['link'] or item['link'])}" for s in item["sources"]]
    st.markdown("**Quellen:** " + (" · ".join(sources) or "–"))
    if item["link"]:
        st.markdown("**Originallink:** " + link_markdown(item["link"], item["link"]))
    st.caption(escape_markdown(" · ".join(filter(None, [
        f"veröffentlicht {widgets.fmt_datetime(item['published_at'])}" if item["published_at"] else "",
        f"zuerst gesehen {widgets.fmt_datetime(item['first_seen_at'])}"
        + (f" ({warning} Arbeitstage vor der Frist)" if deadline and
           (warning := lateness.working_days_warning(item["first_seen_at"], deadline, land)) > 0 else ""),
        f"{widgets.BASELINE_LABEL}: {widgets.BASELINE_HELP}" if item["is_baseline"] else "",
        jurisdiction_label(item["jurisdiction"]), Stage.label_of(item["judged_stage"] or item["stage"], ""),
        language_label(item["language"])]))))

    if mail:
        render_mail(mail)

    st.subheader("Text")
    for field in ("summary", "text"):
        content = item[field] or ""
        if not content.strip() or (field == "text" and content.strip() == (item["summary"] or "").strip()):
            continue
        marked = highlight(content, evidence_spans(content, evidence, field), names)
        st.markdown(f'<div style="line-height:1.6">{marked}</div>', unsafe_allow_html=True)

    st.subheader("Warum relevant?")
    if item["score"] is None:
        st.info("Dieser Eintrag ist noch nicht bewertet.")
    else:
        verdict = "relevant" if item["relevant"] else "nicht relevant"
        st.markdown(f"Relevanz **{widgets.fmt_number(item['score'])}** – {verdict}"
                    + ("" if item["in_remit"] else " (Rechtsraum außerhalb des Auftrags)")
                    + f" · Bewertung: {describe_model_version(item['model_version'])}")
        if not item["language_supported"]:
            st.caption("Sprache wird nicht unterstützt: Bewertung nur eingeschränkt möglich.")
        explained = [{"Thema": topic_label(topic), "Anteil": widgets.fmt_number(float(score)),
                      "Begriffe": ", ".join(sorted({e["term"] for e in evidence if e.get("topic") == topic}))}
                     for topic, score in sorted(item["topic_scores"].items(), key=lambda kv: -float(kv[1]))
                     if float(score) > 0]
        if explained:
            st.dataframe(pd.DataFrame(explained), hide_index=True, width="stretch")
        sentences = list(dict.fromkeys(e.get("sentence") for e in evidence if e.get("sentence")))[:5]
        for sentence in sentences:
            st.markdown("> " + escape_markdown(str(sentence)))

    st.subheader("Änderungen")
    if not item["history"]:
        st.caption("Keine Änderungen seit dem ersten Abruf.")
    else:
        # What matters first: when, what changed, the deadlines; long old titles last.
        st.dataframe(pd.DataFrame([{
            "Zeitpunkt": widgets.fmt_datetime(h["recorded_at"]),
            "Geändert": ", ".join(ITEM_FIELD_NAMES.get(f, f) for f in h["changed_fields"]),
            "Frist vorher": widgets.fmt_value(h["old_deadline"]), "Frist neu": widgets.fmt_value(h["new_deadline"]),
            "Quelle": h["source_id"] or (f"Team ({widgets.person(h['recorded_by'])})" if h["recorded_by"] else None),
            "Titel vorher": widgets.fmt_value(h["old_title"])}
            for h in item["history"]]), hide_index=True, width="stretch")

    render_linked_section(user, item_id, item["status"], day)

with side:
    st.subheader("Frist")
    st.markdown(escape_markdown(inbox.deadline_phrase(deadline, day, land)))
    if item["deadline_text"]:
        st.markdown("> " + escape_markdown(item["deadline_text"]))
    if item["deadline_origin"]:
        st.caption(f"Herkunft: {escape_markdown(DeadlineOrigin.label_of(item['deadline_origin']))}")
    possible = inbox.possible_deadline_to_check(deadline, item["possible_deadline"], day)
    if possible is not None:
        st.warning(inbox.possible_deadline_phrase(possible, item["possible_deadline_confidence"], day, land))
        if item["possible_deadline_text"]:
            st.markdown("> " + escape_markdown(item["possible_deadline_text"]))
    if item["deadline_origin"] != DeadlineOrigin.STRUCTURED:
        with (st.expander("Frist übernehmen oder korrigieren", expanded=possible is not None),
              st.form(f"deadline_{item_id}")):
            chosen = st.date_input("Frist", value=deadline or possible, format="DD.MM.YYYY",
                                   key=f"deadline_day_{item_id}")
            st.caption("Nach einem Blick ins Dokument: die Frist gilt dann in Eingang, Kalender und "
                       "Erinnerungen, und eine neue Bewertung ändert sie nicht mehr.")
            # A refusal is one line in the form; the rest of the page stays.
            if st.form_submit_button("Frist übernehmen"):
                with guarded(), widgets.reported():
                    changed = decisions.set_deadline(user, item_id, chosen)
                    ss["vorgang_flash"] = f"Frist {chosen:%d.%m.%Y} übernommen." if changed else "Keine Änderung."
                    st.rerun()
    if item["hearings"]:
        render_hearings(item["hearings"])

    st.subheader("Stellungnahme")
    with guarded():
        joint = statement.item_statement_status(user, item_id)
    if joint is None:
        st.caption("Noch kein Arbeitsbereich für eine gemeinsame Stellungnahme. Er lässt sich unter "
                   "„Stellungnahmen“ anlegen, sobald der Status „Stellungnahme geplant“ ist.")
        st.page_link("app_pages/stellungnahmen.py", label="Zu den Stellungnahmen", icon=":material/edit_document:")
    else:
        latest = joint["latest_version"]
        st.markdown(f"**Status:** {escape_markdown(joint['status_label'])} · **Entwurf:** "
                    + (f"Version {latest}" if latest else "noch keiner"))
        if not [sub for sub in joint["submissions"] if sub["withdrawn_at"] is None]:
            st.caption("Noch nicht eingereicht.")
        for sub in joint["submissions"]:
            if sub["withdrawn_at"] is not None:
                st.caption(f"Einreichung vom {sub['submitted_on']:%d.%m.%Y} zurückgezogen: "
                           f"{escape_markdown(sub['withdraw_reason'] or '')}")
                continue
            details = [f"Version {sub['version']}"]
            if sub["file_name"]:
                details.append(f"Datei {escape_markdown(sub['file_name'])}")
            if sub["file_sha256"]:
                details.append(f"SHA-256 `{sub['file_sha256'][:12]}`")
            st.markdown(f"**Eingereicht am {sub['submitted_on']:%d.%m.%Y}** per {escape_markdown(sub['channel'])}"
                        + (f" an {escape_markdown(sub['recipient'])}" if sub["recipient"] else "")
                        + " – " + ", ".join(details))
            st.caption(f"erfasst von {escape_markdown(widgets.person(sub['recorded_by']))} "
                       f"am {widgets.fmt_datetime(sub['recorded_at'])}")
        st.page_link("app_pages/stellungnahmen.py", label="Stellungnahme öffnen", icon=":material/edit_document:",
                     query_params={"item": item_id})

    st.subheader("Bearbeitung")
    stored = triage.TriageState(item["status"], item["owner"], item["member_input_due"],
                                item["board_signoff_due"])
    proposal = None
    if deadline:
        member_days, board_days = triage.lead_times()
        proposal = triage.propose_internal_dates(deadline, day, land=land, member_input_workdays=member_days,
                                                 board_signoff_workdays=board_days)
        st.caption(f"Vorschlag ({member_days} bzw. {board_days} Arbeitstage vor der Frist, Feiertage {land}): "
                   f"Mitglieder bis {proposal.member_input_due:%d.%m.%Y}, "
                   f"Vorstand bis {proposal.board_signoff_due:%d.%m.%Y}")
        for warning in proposal.warnings:
            st.warning(warning)
        if st.button("Vorschlag übernehmen", key="triage_propose"):
            ss[f"member_due_{item_id}"] = proposal.member_input_due
            ss[f"board_due_{item_id}"] = proposal.board_signoff_due

    ss.setdefault(f"member_due_{item_id}", stored.member_input_due)
    ss.setdefault(f"board_due_{item_id}", stored.board_signoff_due)
    owner_options = [""] + sorted(set(owners) | {user.id} | ({stored.owner} if stored.owner else set()))
    with st.form(f"triage_{item_id}"):
        status = st.selectbox("Status", triage.STATUSES, index=triage.STATUSES.index(stored.status)
                              if stored.status in triage.STATUSES else 0, format_func=triage.status_label)
        owner = st.selectbox("Verantwortlich", owner_options, index=owner_options.index(stored.owner or ""),
                             format_func=lambda v: widgets.person(v) or "(niemand)")
        member_due = st.date_input("Input der Mitglieder bis", value=None, key=f"member_due_{item_id}",
                                   format="DD.MM.YYYY")
        board_due = st.date_input("Freigabe durch den Vorstand bis", value=None, key=f"board_due_{item_id}",
                                  format="DD.MM.YYYY")
        if st.form_submit_button("Speichern", type="primary"):
            wanted = triage.TriageState(status, owner or None, member_due, board_due)
            with guarded():
                try:
                    changed = decisions.save_triage(user, item_id, wanted)
                except decisions.TriageRejected as rejected:
                    for problem in rejected.problems:
                        st.error(problem)
                else:
                    ss["vorgang_flash"] = (f"Gespeichert ({len(changed)} Änderung(en))." if changed
                                           else "Keine Änderung.")
                    st.rerun()

    st.subheader("Rückmeldung zur Bewertung")
    # The form starts from the team's last verdict, never from the model's: saving it
    # again changes nothing, and only an explicit choice writes a new label.
    last = labels[0] if labels else None
    verdicts = [relevance_label(True), relevance_label(False)]
    with st.form(f"feedback_{item_id}"):
        verdict = st.radio("Ist dieser Eintrag für uns relevant?", verdicts, horizontal=True,
                           index=None if last is None else (0 if last["relevant"] else 1),
                           key=f"feedback_verdict_{item_id}")
        topics = st.multiselect("Richtige Themen", sorted(set(names) | set(item["topics"])),
                                default=list(last["topics"] or []) if last else item["topics"], format_func=topic_label,
                                select_all=False, key=f"feedback_topics_{item_id}", placeholder="Themen wählen")
        note = st.text_input("Anmerkung (optional)", key=f"feedback_note_{item_id}")
        if st.form_submit_button("Rückmeldung speichern"):
            if verdict is None:
                st.error("Bitte „relevant“ oder „nicht relevant“ wählen.")
            else:
                with guarded():
                    written = decisions.record_relevance(user, item_id, relevant=verdict == relevance_label(True),
                                                         topics=topics, note=note)
                ss["vorgang_flash"] = ("Rückmeldung gespeichert: sie fließt ins nächste Training ein." if written
                                       else "Keine Änderung gegenüber der letzten Rückmeldung.")
                st.rerun()
    if last is None:
        st.caption(f"Noch keine Rückmeldung des Teams. Die Bewertung oben ist die des Modells "
                   f"({relevance_label(item['relevant'])}).")
    else:
        who = escape_markdown(widgets.person(last["labelled_by"]))
        st.caption(f"Letzte Rückmeldung: {relevance_label(last['relevant'])} von {who} "
                   f"am {widgets.fmt_datetime(last['labelled_at'])} ({len(labels)} insgesamt)")

    st.subheader("Verlauf der Bearbeitung")
    if not events:
        st.caption("Noch keine Bearbeitung.")
    else:
        st.dataframe(pd.DataFrame([{
            "Zeitpunkt": widgets.fmt_datetime(e["occurred_at"]), "Wer": widgets.person(e["actor"]),
            "Feld": triage.TRIAGE_FIELD_LABELS.get(e["action"], e["action"]),
            "vorher": triage.event_value_label(e["action"], e["old_value"]),
            "nachher": triage.event_value_label(e["action"], e["new_value"])} for e in events]),
            hide_index=True, width="stretch")
