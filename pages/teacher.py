"""Teacher's guide: the 45-minute plan, the verify table, exercises with answers, quizzes, glossary, and a
printable Markdown file of all of it."""

import streamlit as st

from gan_core.ui import teacher
from gan_core.ui.i18n import lang, md, t

st.title(t("teacher.title"))
st.caption(t("teacher.caption"))
rows = teacher.load_rows()
st.download_button(t("teacher.download"), teacher.printable(rows), file_name=f"gan-classroom-teacher-{lang()}.md",
                   mime="text/markdown", icon=":material/download:", key="teacher_download")

plan, verify, exercises, quiz, glossary = st.tabs(
    [t(f"teacher.tab.{k}") for k in ("plan", "verify", "exercises", "quiz", "glossary")])
with plan:
    st.markdown(teacher.fill(md("teacher/plan"), rows))
with verify:
    st.markdown(teacher.verify_markdown(rows))
with exercises:
    teacher.exercises_view()
with quiz:
    teacher.quiz_view()
with glossary:
    st.markdown(md("teacher/glossary"))
