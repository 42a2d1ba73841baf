"""The class board in a real headless Chromium: a teacher context starts a class on the board page, a student
context opens the join link, joins, trains, shares; the teacher's board shows the student's tile live and
opens it full-size; the student sees the board read-only. Then the same across two server processes that
share one database: SQLite, and PostgreSQL (tests/postgres.py). Screenshots in English and 中文."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest
from playwright.sync_api import expect

from gan_core.bench.harness import start_server
from gan_core.classroom import board, db
from gan_core.gif import png_bytes
from tests.browser import shot, stop

pytestmark = pytest.mark.browser
WAIT = 120_000  # two shared cores: a fresh session's first run can take a while


def serve(db_url: str, runs) -> tuple[subprocess.Popen, str]:
    return start_server({"GAN_CLASSROOM_DB": db_url, "GAN_CLASSROOM_RUNS": str(runs)})


@pytest.fixture(scope="module")
def one_server(tmp_path_factory):
    """(server URL, its database URL)."""
    folder = tmp_path_factory.mktemp("board")
    db_url = f"sqlite:///{folder / 'classroom.db'}"
    proc, url = serve(db_url, folder / "runs")
    yield url, db_url
    stop(proc)


def classmates(code: str, db_url: str) -> None:
    """Three more shared runs, written to the database as another server would: a fuller board."""
    rng = np.random.default_rng(0)
    angles = rng.integers(0, 8, 500) * np.pi / 4
    ring = np.c_[np.cos(angles), np.sin(angles)] * 2 + rng.normal(scale=0.05, size=(500, 2))
    runs = [("Bo", "mode-collapse", "mode-collapse", ring[:1] + rng.normal(scale=0.08, size=(500, 2)), 2000),
            ("Chen Jing", "oscillation", "oscillation", ring * 0.7 + rng.normal(scale=0.3, size=(500, 2)), 1500),
            ("Dana", "playground", "healthy", ring + rng.normal(scale=0.04, size=(500, 2)), 3000)]
    for name, source, label, fake, step in runs:
        token = db.digest(name)
        board.join(code, token, name, url=db_url)
        board.share(code, token, source, step=step, status="paused", diagnosis=label, url=db_url,
                    settings={"dataset": "ring8", "loss": "non-saturating", "lr_d": 0.001, "lr_g": 0.0004},
                    png=png_bytes(fake, real=ring, size=480))


def context(browser, height=1000):
    ctx = browser.new_context(viewport={"width": 1500, "height": height})
    page = ctx.new_page()
    page.set_default_timeout(WAIT)
    return ctx, page


def start_class(page, server: str) -> tuple[str, str, str]:
    """The teacher starts a class: (code, join link, teacher key)."""
    page.goto(server + "/board?lang=en")
    page.get_by_role("button", name="Start a new class").click()
    link = page.locator("[data-testid='stCode']").filter(has_text="/playground?class=").first
    expect(link).to_be_visible(timeout=WAIT)
    link = link.inner_text().strip()
    code = re.search(r"class=([A-Z2-9]{6})", link).group(1)
    key = page.locator("[data-testid='stCode']").nth(1).inner_text().strip()
    assert link.startswith(server + "/playground?class=")
    return code, link, key


def join_and_share(page, link: str, name: str, steps: int) -> None:
    """A student opens the link, joins as `name`, presses Step `steps` times and shares the run."""
    page.goto(link)
    field = page.get_by_role("textbox", name="Your name on the board")
    expect(field).to_be_visible(timeout=WAIT)  # the link opened the join box with the code in it
    field.fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_text(re.compile(rf"^Class [A-Z2-9]{{6}} · {name}$"))).to_be_visible(timeout=WAIT)
    step = page.get_by_role("button", name="Step", exact=True)
    for _ in range(steps):
        try:
            expect(step).to_be_enabled(timeout=WAIT)
        except AssertionError:
            shot(page, "board-step-disabled")  # what kept Step disabled
            raise
        page.wait_for_timeout(500)  # let a fragment's rerun finish, so one click is one step
        step.click()
    page.get_by_text("Share with class", exact=True).click()
    expect(page.get_by_text(re.compile(rf"On the board of class .* as {name}"))).to_be_visible(timeout=WAIT)


def tile(page, name: str):
    """The tile of `name` on the board (its bordered container)."""
    return page.locator("[class*='st-key-board_tile_']").filter(has=page.locator("strong", has_text=name)).last


def test_teacher_and_student_run_a_class_on_one_server(one_server, browser):
    teacher_ctx, teacher = context(browser, height=1300)  # the board's tiles in the screenshots
    student_ctx, student = context(browser)
    server, db_url = one_server
    code, link, _ = start_class(teacher, server)
    expect(teacher.get_by_text("No shared runs here yet", exact=False)).to_be_visible(timeout=WAIT)

    join_and_share(student, link, "Ann", 3)
    ann = tile(teacher, "Ann")
    expect(ann).to_contain_text("step 3", timeout=WAIT)  # the board redraws itself: no reload
    expect(ann).to_contain_text("Playground", timeout=WAIT)
    expect(ann.locator("img")).to_be_visible(timeout=WAIT)
    shot(student, "board-student-playground-en")

    student.get_by_role("button", name="Train", exact=True).click()  # shared while training: the tile follows
    expect(ann).to_contain_text("training", timeout=WAIT)
    expect(ann).to_contain_text(re.compile(r"step [1-9]\d{2,}|step [1-9],\d{3}"), timeout=WAIT)
    student.get_by_role("button", name="Pause", exact=True).click()
    expect(ann).to_contain_text("paused", timeout=WAIT)
    classmates(code, db_url)
    expect(tile(teacher, "Chen Jing")).to_contain_text("Lab: Oscillation", timeout=WAIT)
    teacher.evaluate("document.activeElement.blur()")  # no tooltip of a clicked button in the picture
    teacher.mouse.move(0, 0)
    shot(teacher, "board-teacher-en")
    diagnosis = teacher.locator("[data-testid='stSelectbox']").nth(1)
    diagnosis.click()  # the filter: only the collapsed run
    teacher.get_by_role("option", name="Mode collapse").click()
    expect(teacher.locator("[class*='st-key-board_tile_']")).to_have_count(1, timeout=WAIT)
    expect(tile(teacher, "Bo")).to_be_visible(timeout=WAIT)
    diagnosis.click()
    teacher.get_by_role("option", name="All diagnoses").click()
    expect(teacher.locator("[class*='st-key-board_tile_']")).to_have_count(4, timeout=WAIT)

    ann.get_by_role("button", name="Open").click()
    dialog = teacher.get_by_role("dialog")
    expect(dialog).to_contain_text("Ann", timeout=WAIT)
    expect(dialog.locator("img")).to_be_visible(timeout=WAIT)
    expect(dialog).to_contain_text("lr_d", timeout=WAIT)
    shot(teacher, "board-open-en")
    teacher.keyboard.press("Escape")

    # The student's own view of the board: read-only, the same tile
    student.get_by_role("link", name="Class board").click()
    expect(student.get_by_text("Read-only: this is what the class sees", exact=False)).to_be_visible(timeout=WAIT)
    expect(tile(student, "Ann")).to_contain_text("Playground", timeout=WAIT)
    expect(student.get_by_role("button", name="Hide")).to_have_count(0, timeout=WAIT)
    shot(student, "board-student-en")

    # The teacher hides the tile: gone from the students' board, marked on the teacher's
    tile(teacher, "Ann").get_by_role("button", name="Hide").click()
    expect(tile(teacher, "Ann")).to_contain_text("Hidden from students", timeout=WAIT)
    expect(student.locator("strong", has_text="Ann")).to_have_count(0, timeout=WAIT)
    tile(teacher, "Ann").get_by_role("button", name="Show").click()
    expect(tile(student, "Ann")).to_be_visible(timeout=WAIT)

    teacher.get_by_text("简体中文", exact=True).click()
    expect(teacher.locator("h1")).to_contain_text("班级看板", timeout=WAIT)
    expect(tile(teacher, "Ann")).to_contain_text("训练场", timeout=WAIT)
    teacher.evaluate("document.activeElement.blur()")
    teacher.mouse.move(0, 0)
    shot(teacher, "board-teacher-zh")
    filters = teacher.locator("[data-testid='stSelectbox'] input")  # the filters too
    expect(filters.first).to_have_value("所有课程和训练场", timeout=WAIT)
    tile(teacher, "Ann").get_by_role("button", name="放大").click()
    expect(teacher.get_by_role("dialog")).to_contain_text("lr_d", timeout=WAIT)
    shot(teacher, "board-open-zh")
    student_ctx.close()
    teacher_ctx.close()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_server_processes_share_one_board(backend, browser, tmp_path, request):
    """The teacher's board on one server, the student on another: the same class, the tile live."""
    db_url = f"sqlite:///{tmp_path / 'classroom.db'}" if backend == "sqlite" else request.getfixturevalue(
        "postgres_url")
    (a, url_a), (b, url_b) = serve(db_url, tmp_path / "runs"), serve(db_url, tmp_path / "runs")
    try:
        teacher_ctx, teacher = context(browser)
        student_ctx, student = context(browser)
        code, link, _ = start_class(teacher, url_a)
        join_and_share(student, link.replace(url_a, url_b), "Bo", 2)  # the student's replica: server B
        bo = tile(teacher, "Bo")
        expect(bo).to_contain_text("step 2", timeout=WAIT)
        student.get_by_role("button", name="Step", exact=True).click()
        expect(bo).to_contain_text("step 3", timeout=WAIT)  # each step on B shows on A's board
        teacher.get_by_text(re.compile(r"1 student\(s\) joined")).wait_for()
        student_ctx.close()
        teacher_ctx.close()
    finally:
        stop(a)
        stop(b)
