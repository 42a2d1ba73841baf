"""The Instability Lab's helpers: each lesson as Predict -> Run -> Explain -> Fix, with its own Runners.

A lesson keeps its Runners in st.session_state, never the Playground's: `lab_<lesson>_run` for the Run
stage, and the pair `lab_<lesson>_original` / `lab_<lesson>_fixed` that `Apply the fix` starts together
from step 0 with the same seed. At most two train at once: starting one stage pauses every other Runner
of the session (2 cores). Training stops exactly at the lesson's step count (Runner.start(until=...)).
"""

from __future__ import annotations

import re

import streamlit as st
import torch

from gan_core.host import is_handle
from gan_core.host.runner import Runner
from gan_core.presets import PRESETS
from gan_core.views import network_weights

from . import liveview, panels, sessions, sharing
from .i18n import lang, md, reason, sections, t

LESSONS = {  # lesson (assets/<lang>/lessons/<name>.md) -> the preset it runs
    "mode-collapse": "ring-mode-collapse",
    "vanishing-gradients": "vanishing-gradients",
    "oscillation": "oscillation",
    "divergence": "divergence",
    "stable-recipe": "ring-stable",
}
RECIPE = "stable-recipe"  # no fix: its Fix stage breaks one ingredient instead
FAST, PAIR_FAST, SLOW = 0.2, 0.25, 5.0  # seconds between packets of frames without the stream: one run / two; plotly summaries (live.SLOW)
PAIR_PREFIXES = ("lab_a_", "lab_b_")  # widget keys of the two comparison columns


# ---- lesson text ---------------------------------------------------------------------------------

def title(lesson: str) -> str:
    return md(f"lessons/{lesson}").splitlines()[0].lstrip("# ").strip()


def text(lesson: str) -> dict[str, str]:
    return sections(f"lessons/{lesson}")


def parse_predict(body: str) -> tuple[str, list[str], int | None]:
    """'## Predict' body -> (question, options, 0-based answer or None). The `Answer: N` line is hidden."""
    question, options, answer = [], [], None
    for line in body.splitlines():
        s = line.strip()
        if m := re.fullmatch(r"Answer:\s*(\d+)", s):
            answer = int(m[1]) - 1
        elif s.startswith(("- ", "* ")):
            options.append(s[2:].strip())
        elif not options:
            question.append(line)
    if answer is not None and not 0 <= answer < len(options):
        answer = None
    return "\n".join(question).strip(), options, answer


def parse_feedback(body: str) -> list[str]:
    """Each option's feedback: the indented '> ' lines under it in '## Predict' ('' where there are none)."""
    feedback: list[list[str]] = []
    for line in body.splitlines():
        s = line.strip()
        if s.startswith(("- ", "* ")):
            feedback.append([])
        elif s.startswith(">") and feedback:
            feedback[-1].append(s[1:].strip())
    return [" ".join(f) for f in feedback]


def lesson_picker() -> str:
    """The lesson selectbox (key `lesson`); the choice survives a visit to another page and a language switch."""
    names = list(LESSONS)
    st.session_state.lab_lang_changed = st.session_state.get("lab_lang", lang()) != lang()
    st.session_state.lab_lang = lang()
    if st.session_state.get("lesson") not in names:
        wanted = st.session_state.get("lab_kept_lesson") or st.query_params.get("lesson")
        st.session_state.lesson = wanted if wanted in names else names[0]
    _restore("lesson")
    titles = {n: title(n) for n in names}  # captured now: AppTest formats outside the session's language
    lesson = st.selectbox(t("lab.pick"), names, key="lesson", format_func=titles.get, on_change=pause_all)
    st.session_state.lab_kept_lesson = lesson
    st.query_params["lesson"] = lesson  # a teacher's link can open one lesson
    return lesson


def _restore(key: str) -> None:
    """Streamlit matches a radio's or selectbox's value by its label, so a translated label loses the choice
    when the language changes: put back the copy kept in `lab_kept_<key>`."""
    kept = st.session_state.get(f"lab_kept_{key}")
    if st.session_state.lab_lang_changed and kept is not None:
        st.session_state[key] = kept


# ---- Predict -------------------------------------------------------------------------------------

def predict(lesson: str) -> bool:
    """Question, options without a default, and a Check button. Returns whether the student has checked."""
    body = text(lesson).get("Predict", "")
    (question, options, answer), feedback = parse_predict(body), parse_feedback(body)
    if not options or answer is None:
        st.warning(t("lab.no_question"))
        return True
    st.markdown(question)
    _restore(f"lab_answer_{lesson}")
    choice = st.radio(t("lab.your_answer"), range(len(options)), index=None, format_func=lambda i: options[i],
                      key=f"lab_answer_{lesson}")
    st.session_state[f"lab_kept_lab_answer_{lesson}"] = choice
    checked_key = f"lab_checked_{lesson}"
    st.button(t("lab.check"), key="lab_check", disabled=choice is None, on_click=_remember,
              args=(checked_key, choice))
    checked = choice is not None and st.session_state.get(checked_key) == choice
    why = feedback[choice] if checked and choice < len(feedback) else ""
    if checked and choice == answer:
        st.success(" ".join(x for x in (t("lab.right", answer=options[answer]), why) if x), icon=":material/check_circle:")
    elif checked:
        st.error(t("lab.wrong_option", why=why, answer=options[answer]) if why else t("lab.wrong", answer=options[answer]),
                 icon=":material/help:")
    return checked


def _remember(key: str, value) -> None:
    st.session_state[key] = value


# ---- Runners -------------------------------------------------------------------------------------

def preset_of(lesson: str):
    return PRESETS.get(LESSONS[lesson])


def run_runner(lesson: str) -> Runner | None:
    """The Run stage's Runner, created on first use; None (with a message) if the preset is missing."""
    key, preset = f"lab_{lesson}_run", preset_of(lesson)
    if key not in st.session_state:
        if preset is None:
            st.warning(t("lab.preset_missing", name=LESSONS[lesson]))
            return None
    return sessions.trainer(key, preset.config)


def pair(lesson: str) -> tuple[Runner, Runner] | None:
    a, b = st.session_state.get(f"lab_{lesson}_original"), st.session_state.get(f"lab_{lesson}_fixed")
    return (a, b) if a is not None and b is not None and not (a.closed or b.closed) else None


def variant_name(lesson: str) -> str | None:
    """The preset run beside the lesson's own: its fix or, for the stable recipe, a broken one to pick."""
    if lesson != RECIPE:
        preset = preset_of(lesson)
        return preset.fix if preset is not None else None
    broken = {name: f"{title(n)} ({name})" for n, name in LESSONS.items() if n != RECIPE and name in PRESETS}
    if not broken:
        return None
    _restore("lab_break")
    choice = st.selectbox(t("lab.break_pick"), list(broken), key="lab_break", format_func=broken.get,
                          help=t("lab.break_help"), on_change=pause_all)
    st.session_state.lab_kept_lab_break = choice
    return choice


def apply_fix(lesson: str, variant: str) -> None:
    """Both runs from step 0: the lesson's preset and the variant, the variant on the same seed."""
    pause_all()
    original = PRESETS[LESSONS[lesson]].config()
    for old in pair(lesson) or ():
        old.close()  # free their places on the trainer host first
    a = sessions.open_handle(original)
    b = a and sessions.open_handle(PRESETS[variant].config(seed=original.seed))
    if b is None:  # the server is full (the message is shown)
        for h in (a,) if a else ():
            h.close()
        st.session_state.pop(f"lab_{lesson}_original", None)
        st.session_state.pop(f"lab_{lesson}_fixed", None)
        return
    st.session_state[f"lab_{lesson}_original"], st.session_state[f"lab_{lesson}_fixed"] = a, b
    st.session_state[f"lab_{lesson}_same"] = same_start(a, b)
    train(a, b, limit=PRESETS[LESSONS[lesson]].steps)


def same_start(a: Runner, b: Runner) -> dict[str, bool]:
    """{'G': ..., 'D': ...}: whether each network holds identical weights in both runs (call at step 0)."""
    def equal(x: dict, y: dict) -> bool:
        return x.keys() == y.keys() and all(x[k].shape == y[k].shape and torch.equal(x[k], y[k]) for k in x)
    wa, wb = a.call(network_weights), b.call(network_weights)
    return {net: equal(wa[net], wb[net]) for net in ("G", "D")}


def pause_all(*keep: Runner) -> None:
    """Pause every Runner of this session (the Playground's too) but `keep`: at most two train at once."""
    for r in st.session_state.to_dict().values():
        if is_handle(r) and not r.closed and r.running and not any(r is k for k in keep):
            r.pause()


def train(*runners: Runner, limit: int) -> None:
    """Start these runs (pausing every other of the session); each stops exactly at step `limit`."""
    pause_all(*runners)
    for r in runners:
        r.start(until=limit)


def can_train(runner: Runner, limit: int) -> bool:
    return runner.status == "ok" and runner.step_count < limit


# ---- drawing -------------------------------------------------------------------------------------

def status(view: dict, runner: Runner, limit: int) -> None:
    """Progress towards the lesson's step count, speed and state; a diverged run says why it stopped.
    view: the live view's poll (panels.poll)."""
    sessions.notice(runner)
    state = t("state.running") if view["running"] else t("state.paused")
    st.progress(min(1.0, view["step"] / limit), text=t("lab.progress", step=f"{view['step']:,}", steps=f"{limit:,}",
                                                        rate=f"{view['steps_per_s']:,.0f}", state=state))
    if view["status"] != "ok" and not sessions.crashed(view):
        st.error(t("diverged", reason=reason(view["reason"])), icon=":material/error:")
        st.caption(t("lab.diverged_hint"))
    elif view["step"] >= limit:
        st.caption(t("lab.done", steps=f"{limit:,}"))


def run_panels(runner: Runner, limit: int, lesson: str) -> None:
    """The Playground's live view for the Run stage (frames every FAST seconds while it trains) and its
    summary charts below (which also keep the lesson's class-board tile up to date, if shared)."""
    fast = liveview.every(FAST) if runner.running else None
    slow = panels.summary_every("lab_run", runner.running, SLOW)

    @st.fragment(run_every=fast)
    def main_panels():
        if fast and not runner.running:
            st.rerun()  # stopped at the limit, diverged or idle: a full rerun stops the timers and frees Train
        view = panels.poll(runner, "lab_run_live")
        status(view, runner, limit)
        panels.main(runner, view, "lab_run_live", prefix="lab_run_")

    @st.fragment(run_every=slow)
    def summary_panels():
        if panels.summary_ready("lab_run"):
            view = panels.read_summary(runner, "lab_run")
            panels.summary(view, prefix="lab_run_")
            sharing.refresh(runner, lesson, view)

    main_panels()
    summary_panels()


def pair_panels(runners: tuple[Runner, Runner], titles: tuple[str, str], limit: int) -> None:
    """Two columns, each its run's live view (both fed together), then their metrics and diagnosis."""
    running = any(r.running for r in runners)
    slow = panels.summary_every("lab_pair", running, SLOW)

    @st.fragment(run_every=liveview.every(PAIR_FAST) if running else None)
    def main_pair():
        if running and not any(r.running for r in runners):
            st.rerun()
        for col, r, head, prefix in zip(st.columns(2, border=True), runners, titles, PAIR_PREFIXES):
            with col:
                st.markdown(f"##### {head}")
                view = panels.poll(r, prefix + "live")
                status(view, r, limit)
                panels.main(r, view, prefix + "live", prefix=prefix, x_range=(0, limit))

    @st.fragment(run_every=slow)
    def summary_pair():
        if not panels.summary_ready("lab_pair"):
            return
        for col, r, prefix in zip(st.columns(2, border=True), runners, PAIR_PREFIXES):
            with col:
                view = panels.read_summary(r, prefix)
                panels.metrics_block(view, prefix)
                panels.diagnosis_block(view["diagnosis"], prefix)

    main_pair()
    summary_pair()


def diff_table(a: Runner, b: Runner, titles: tuple[str, str]) -> None:
    changes = {k: v for k, v in a.config.diff(b.config).items() if k != "seed"}
    if not changes:
        st.caption(t("lab.no_diff"))
        return
    rows = [f"| {t('lab.diff_setting')} | {titles[0]} | {titles[1]} |", "|---|---|---|"]
    rows += [f"| {t('field.' + k)} (`{k}`) | `{_fmt(x)}` | `{_fmt(y)}` |" for k, (x, y) in changes.items()]
    st.markdown(f"**{t('lab.diff_header')}**\n\n" + "\n".join(rows))


def start_note(same: dict[str, bool], seed: int) -> None:
    if all(same.values()):
        st.success(t("lab.same_weights", seed=seed), icon=":material/casino:")
    else:
        nets = " & ".join(n for n, ok in same.items() if not ok)
        st.warning(t("lab.other_weights", nets=nets, seed=seed), icon=":material/warning:")


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)
