"""The learner's commands: check, watch, hint, reset, progress, and their language.

Every test works on a temporary copy of the lesson files and a temporary state folder (through
BRUSHSTROKES_LESSONS_DIR and BRUSHSTROKES_STATE_DIR): the real lessons/ and .brushstrokes/ are never touched.
The check runs are real (pytest checks/ in a subprocess) but only grade exercise 1.1, which needs no VGG19.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from brushstrokes import cli as command_line
from brushstrokes import course
from brushstrokes.base import i18n
from brushstrokes.base.paths import ROOT
from brushstrokes.learner import places, progress, runner, standing, stubs
from brushstrokes.learner.query import exercises
from brushstrokes.learner.watch import Watcher, lesson_file_changed

MODULE = "lesson1_content"


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(lessons folder, state folder): a copy of the committed lesson files, and an empty state folder."""
    lessons, state = tmp_path / "lessons", tmp_path / "state"
    lessons.mkdir()
    for lesson in course.LESSONS:
        committed = committed_file(lesson.module)
        if committed is not None:
            (lessons / f"{lesson.module}.py").write_text(committed)
    monkeypatch.setenv(places.LESSONS_ENV, str(lessons))
    monkeypatch.setenv(places.STATE_ENV, str(state))
    monkeypatch.delenv("BRUSHSTROKES_LANG", raising=False)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(var, "C.UTF-8")
    i18n.set_language(None)
    yield lessons, state
    i18n.set_language(None)


def committed_file(module: str) -> str | None:
    done = subprocess.run(["git", "show", f"HEAD:lessons/{module}.py"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    return done.stdout if done.returncode == 0 else None


def function_source(text: str, name: str) -> tuple[int, int, list[str]]:
    """(first line, last line, its lines with endings) of top-level function `name` in `text`."""
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == name)
    lines = text.splitlines(keepends=True)
    return node.lineno, node.end_lineno, lines[node.lineno - 1:node.end_lineno]


def put_solution(lessons: Path, name: str) -> None:
    """Replace function `name` in the copied lesson file with the reference solution's."""
    _, _, solution = function_source((ROOT / "solutions" / f"{MODULE}.py").read_text(), name)
    put_function(lessons, name, "".join(solution))


def put_function(lessons: Path, name: str, source: str) -> None:
    path = lessons / f"{MODULE}.py"
    text = path.read_text()
    start, end, _ = function_source(text, name)
    lines = text.splitlines(keepends=True)
    path.write_text("".join(lines[:start - 1]) + source + "".join(lines[end:]))


# check -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["1.2", "1_2", "content_grad", " 1.2 "])
def test_every_query_form_finds_the_same_exercise(query: str):
    assert [ex.id for ex in exercises(query)] == ["1.2"]


def test_a_lesson_number_or_nothing_selects_several():
    assert [ex.id for ex in exercises("1")] == [ex.id for ex in course.lesson("1").exercises]
    assert len(exercises(None)) == len(course.exercises())


def test_check_command_selects_checks_by_keyword(folders):
    lessons, _ = folders
    cmd = runner.command(exercises("content_grad") + exercises("1_3"), lessons, Path("score.json"))
    assert cmd[cmd.index("-k") + 1] == "1.2 or 1.3"
    assert cmd[cmd.index("--lessons-dir") + 1] == str(lessons)
    assert "-k" not in runner.command(None, lessons, Path("score.json"))
    assert "--lessons-dir" not in runner.command(None, places.DEFAULT_LESSONS, Path("score.json"))


def test_check_passes_its_time_limit_on(folders):
    lessons, _ = folders
    cmd = runner.command(exercises("1.4"), lessons, Path("score.json"), timeout=2.5)
    assert cmd[cmd.index("--check-timeout") + 1] == "2.5"
    assert "--check-timeout" not in runner.command(None, lessons, Path("score.json"))


def test_relay_drops_only_pytests_interrupt_banner_and_its_count_of_checks():
    lines = ["!!!!!!!!!!!!!!!! KeyboardInterrupt !!!!!!!!!!!!!!!!\n", "/x/checks/loops.py:12: KeyboardInterrupt\n",
             "(to show a full traceback on KeyboardInterrupt use --full-trace)\n",
             "reconstruct raised KeyboardInterrupt\n", "  1.4   reconstruct      not run\n",
             "2 failed, 15 passed, 38 deselected in 5.93s\n",
             "\x1b[32m\x1b[1m55 passed\x1b[0m\x1b[32m in 75.10s (0:01:15)\x1b[0m\n"]

    class Fake:
        stdout = iter(lines)

    seen: list[str] = []
    runner.relay(Fake(), seen.append)
    assert seen == ["reconstruct raised KeyboardInterrupt", "  1.4   reconstruct      not run"]


def test_ctrl_c_during_check_keeps_the_score_and_shows_no_traceback(spawn_cli, folders):
    import signal

    lessons, state = folders
    started = lessons.parent / "started"
    _, _, solution = function_source((ROOT / "solutions" / f"{MODULE}.py").read_text(), "reconstruct")
    slow = "".join(solution).replace('net.blobs["data"].data[...] = x\n',
                                     f'net.blobs["data"].data[...] = x\n        open({str(started)!r}, "w").close()\n'
                                     "        __import__('time').sleep(0.5)\n", 1)
    assert slow != "".join(solution), "solutions' reconstruct changed: update this test"
    put_function(lessons, "reconstruct", slow)
    process = spawn_cli("--lang", "en", "check", "1.4", new_session=True,
                        env={"BRUSHSTROKES_LESSONS_DIR": str(lessons), "BRUSHSTROKES_STATE_DIR": str(state)})
    process.wait_until(started.exists, timeout=60, what="the check of 1.4 started")
    process.send_signal(signal.SIGINT)  # what a terminal does: the whole process group gets the Ctrl-C
    output = "".join(process.communicate(timeout=60))
    assert process.returncode == 130, output
    assert "Ctrl-C: the run was stopped during the check of exercise 1.4" in output  # the one line, once
    assert sum(line.startswith("Ctrl-C") for line in output.splitlines()) == 1, output
    assert "Lesson 1 · Find content" in output, output
    assert "KeyboardInterrupt" not in output and "Traceback" not in output, output


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ctrl_c_before_the_checks_print_a_score_says_so(folders, monkeypatch, capsys, lang):
    def interrupted(*args, **kwargs):
        raise runner.ChecksInterrupted(reported=False)

    monkeypatch.setattr(runner, "run_checks", interrupted)
    assert command_line.main(["--lang", lang, "check", "1.1"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "brushstrokes check" in err
    assert ("nothing was graded" if lang == "en" else "没有给任何练习评分") in err


def test_the_keyword_selects_only_that_exercises_checks(cli):
    """-k 1_1 also matched lesson 2's checks at layer conv1_1; the expression the runner uses must not."""
    expr = runner.keyword_expression(exercises("1.1"))
    done = cli("checks/", "--collect-only", "-q", "-p", "no:cacheprovider", "-k", expr, program="pytest", timeout=120)
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert collected, done.stdout
    assert all("::test_1_1_" in line for line in collected), collected


@pytest.mark.parametrize("command", [["check", "1.1"], ["watch", "--once"]])
def test_a_missing_lessons_folder_is_named(folders, capsys, command, tmp_path):
    assert command_line.main([*command, "--lessons-dir", str(tmp_path / "nowhere")]) == 2
    assert "nowhere is not a folder" in capsys.readouterr().err


def test_check_no_match_lists_the_exercises(folders, capsys):
    assert command_line.main(["check", "content_gradient"]) == 2
    err = capsys.readouterr().err
    assert "no exercise matches 'content_gradient'" in err
    assert "1.2 content_grad" in err and "1.4 reconstruct" in err


@pytest.mark.slow
@pytest.mark.parametrize("query", ["1.1", "1_1", "content_loss"])
def test_check_grades_the_copy_and_records_progress(folders, capsys, query):
    lessons, state = folders
    real = ROOT / "lessons" / f"{MODULE}.py"
    before = real.read_bytes()  # however far the learner has got in it
    assert command_line.main(["check", query]) == 1  # the stub
    out = capsys.readouterr().out
    assert "not started" in out and "0 of 1 selected exercises pass" in out
    assert progress.load(state / "progress.json")["1.1"]["status"] == "not started"
    put_solution(lessons, "content_loss")
    assert command_line.main(["check", query]) == 0
    assert "1 of 1 selected exercises pass" in capsys.readouterr().out
    assert progress.load(state / "progress.json")["1.1"]["status"] == "passed"
    assert real.read_bytes() == before  # the real file untouched


# watch -------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_watch_rechecks_on_save_and_moves_on(folders):
    lessons, state = folders
    said: list[str] = []
    watcher = Watcher(say=said.append)
    assert watcher.current.id == "1.1"
    assert watcher.on_save([lessons / "notes.txt", lessons / ".#lesson1_content.py"]) is None  # not lesson files
    assert watcher.on_save([lessons / f"{MODULE}.py"]) is False  # saved, still the stub
    assert watcher.current.id == "1.1"
    assert any("not started" in line for line in said)
    said.clear()
    put_solution(lessons, "content_loss")
    assert watcher.on_save([str(lessons / f"{MODULE}.py")]) is True
    assert watcher.current.id == "1.2"
    text = "\n".join(said)
    assert "exercise 1.1 (content_loss) passes" in text
    assert "exercise 1.2 of 4 · lesson 1" in text and "after it: exercise 1.3" in text
    assert "course: 1/" in text
    assert not any("Brushstrokes score" in line for line in said)  # watch shows one status line, not the table
    assert progress.load(state / "progress.json")["1.1"]["status"] == "passed"


def test_watch_skips_exercises_passed_before(folders):
    _, state = folders
    progress.record({"1.1": ("passed", ""), "1.2": ("passed", ""), "1.3": ("failed", "x")},
                    path=state / "progress.json")
    assert Watcher(say=lambda line: None).current.id == "1.3"
    assert standing.following(course.exercise("1.1")).id == "1.3"


@pytest.mark.slow
def test_watch_once_checks_the_current_exercise(folders, capfd):
    lessons, _ = folders
    put_solution(lessons, "content_loss")
    assert command_line.main(["watch", "--once"]) == 0
    assert "exercise 1.1 (content_loss) passes" in capfd.readouterr().out


def test_only_lesson_files_trigger_a_check(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    changed = [tmp_path / "a.py", tmp_path / "sub" / "b.py", tmp_path / "c.txt", tmp_path / ".partial-a.py"]
    assert lesson_file_changed(tmp_path, changed) == [(tmp_path / "a.py").resolve()]


# hint --------------------------------------------------------------------------------------------------------
def test_hint_ladder_climbs_then_points_to_the_solution(folders, capsys):
    _, state = folders
    ex = course.exercise("1.2")
    outputs = []
    for _ in range(len(ex.hints) + 1):
        assert command_line.main(["hint", "1_2"]) == 0
        outputs.append(capsys.readouterr().out)
    for step, out in enumerate(outputs[:len(ex.hints)], start=1):
        assert f"Hint {step} of {len(ex.hints)}" in out
        assert ex.hints[step - 1]("en") in out
    assert "docs/lesson1.md#exercise-1-2" not in outputs[0]
    assert "docs/lesson1.md#exercise-1-2" in outputs[len(ex.hints) - 1]
    assert "docs/lesson1.md#exercise-1-2" in outputs[-1] and "--restart" in outputs[-1]
    assert json.loads((state / "hints.json").read_text()) == {"1.2": len(ex.hints)}
    assert command_line.main(["hint", "1.2", "--restart"]) == 0
    assert f"Hint 1 of {len(ex.hints)}" in capsys.readouterr().out


def test_hint_points_to_the_chinese_page_in_chinese(folders, capsys):
    for _ in course.exercise("1.1").hints:
        command_line.main(["--lang", "zh", "hint", "1.1"])
    out = capsys.readouterr().out
    assert "docs/lesson1.zh.md#exercise-1-1" in out and "/zh/lesson1/#exercise-1-1" in out
    assert "提示" in out


def test_hint_needs_one_exercise(folders, capsys):
    assert command_line.main(["hint", "1"]) == 2
    assert "hint works on one" in capsys.readouterr().err


@pytest.mark.parametrize("ex", course.lesson("1").exercises, ids=lambda ex: ex.id)
def test_every_lesson1_page_has_the_anchor_the_hints_point_to(ex):
    for page in ("lesson1.md", "lesson1.zh.md"):
        assert f"{{ #{ex.solution_anchor} }}" in (ROOT / "docs" / page).read_text(), page


# reset -------------------------------------------------------------------------------------------------------
def test_reset_restores_one_function_and_nothing_else(folders, capsys):
    lessons, state = folders
    path = lessons / f"{MODULE}.py"
    put_solution(lessons, "content_loss")
    put_solution(lessons, "content_grad")
    path.write_text(path.read_text() + "\n# my notes after the last function\n")
    before = path.read_bytes()
    start, end, mine = function_source(before.decode(), "content_grad")
    assert command_line.main(["reset", "1.2"]) == 0
    out = capsys.readouterr().out
    after = path.read_bytes()
    lines_before, lines_after = before.splitlines(keepends=True), after.splitlines(keepends=True)
    _, _, stub = function_source(committed_file(MODULE), "content_grad")
    new_start, new_end, restored = function_source(after.decode(), "content_grad")
    assert restored == stub
    assert lines_after[:new_start - 1] == lines_before[:start - 1]  # everything above: byte-identical
    assert lines_after[new_end:] == lines_before[end:]  # everything below, the notes included
    assert function_source(after.decode(), "content_loss")[2] == function_source(before.decode(), "content_loss")[2]
    backups = list((state / "backups").glob(f"{MODULE}.content_grad.*.py"))
    assert len(backups) == 1 and backups[0].read_text() == "".join(mine)
    assert str(backups[0].name) in out
    assert command_line.main(["reset", "content_grad"]) == 0  # already the stub: nothing changes, no new backup
    assert path.read_bytes() == after and len(list((state / "backups").iterdir())) == 1


def test_reset_keeps_windows_line_endings(folders):
    lessons, _ = folders
    path = lessons / f"{MODULE}.py"
    put_solution(lessons, "normalized_step")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    before = path.read_bytes()
    assert command_line.main(["reset", "1.3"]) == 0
    after = path.read_bytes()
    assert after.count(b"\n") == after.count(b"\r\n")
    assert before != after and b"NotImplementedError" in after


def test_reset_refuses_a_file_that_does_not_parse(folders, capsys):
    lessons, state = folders
    path = lessons / f"{MODULE}.py"
    put_solution(lessons, "content_grad")
    path.write_text(path.read_text() + "\ndef broken(:\n")
    before = path.read_bytes()
    assert command_line.main(["reset", "1.2"]) == 2
    err = capsys.readouterr().err
    assert "does not parse" in err and "line" in err
    assert path.read_bytes() == before
    assert not (state / "backups").exists()


def test_reset_refuses_a_missing_function(folders, capsys):
    lessons, _ = folders
    path = lessons / f"{MODULE}.py"
    path.write_text(path.read_text().replace("def content_grad(", "def content_gradient("))
    before = path.read_bytes()
    assert command_line.main(["reset", "1.2"]) == 2
    assert "has no function content_grad" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_reset_without_git_rebuilds_the_stub_from_the_solution(folders, monkeypatch):
    lessons, _ = folders
    monkeypatch.setattr(stubs, "committed_stub", lambda ex: None)
    put_solution(lessons, "content_grad")
    done = stubs.reset_function(course.exercise("1.2"))
    assert done.source == "solutions"
    text = (lessons / f"{MODULE}.py").read_text()
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == "content_grad")
    solution = next(n for n in ast.parse((ROOT / "solutions" / f"{MODULE}.py").read_text()).body
                    if isinstance(n, ast.FunctionDef) and n.name == "content_grad")
    assert ast.dump(node.args) == ast.dump(solution.args)
    assert isinstance(node.body[-1], ast.Raise) and "1.2" in ast.unparse(node.body[-1])


# progress and language ---------------------------------------------------------------------------------------
def test_progress_shows_recorded_grades_and_the_next_exercise(folders, capsys):
    _, state = folders
    progress.record({"1.1": ("passed", ""), "1.2": ("failed", "missing ReLU mask")}, path=state / "progress.json")
    assert command_line.main(["progress"]) == 0
    out = capsys.readouterr().out
    row = {line.split()[0]: line for line in out.splitlines() if line.startswith("  1.")}
    assert "passed" in row["1.1"] and "10 min" in row["1.1"]
    assert "failed" in row["1.2"] and "missing ReLU mask" in row["1.2"]
    assert "never checked" in row["1.3"]
    assert "1/4 passed" in out
    assert "Next: exercise 1.2" in out and "brushstrokes check 1.2" in out


def test_chinese_output(folders, capsys, monkeypatch):
    _, state = folders
    progress.record({"1.1": ("passed", "")}, path=state / "progress.json")
    assert command_line.main(["--lang", "zh", "progress"]) == 0
    out = capsys.readouterr().out
    assert "第 1 课" in out and "通过" in out and "下一步：练习 1.2" in out
    assert "Next:" not in out
    i18n.set_language(None)
    monkeypatch.setenv("BRUSHSTROKES_LANG", "zh")
    assert command_line.main(["check", "nope"]) == 2
    assert "没有与 'nope' 对应的练习" in capsys.readouterr().err


def test_state_files_stay_in_the_state_folder(folders):
    lessons, state = folders
    assert places.lessons_dir() == lessons.resolve()
    assert places.progress_path() == (state / "progress.json").resolve()
    assert places.backups_dir().is_relative_to(state.resolve())
    shutil.rmtree(lessons)
    assert places.lessons_dir(Path("elsewhere")) == Path("elsewhere").resolve()


# the lesson pages the hints and messages point to ----------------------------------------------------------
def page_section(page: str, ex) -> str:
    """The text of exercise `ex`'s section on docs/<page>, from its heading to the next '## '."""
    text = (ROOT / "docs" / page).read_text()
    start = text.index(f"{{ #{ex.anchor} }}")
    end = text.find("\n## ", start)
    return text[start:end if end > 0 else None]


@pytest.mark.parametrize("page", ["lesson1.md", "lesson1.zh.md"])
@pytest.mark.parametrize("ex", course.lesson("1").exercises, ids=lambda ex: ex.id)
def test_each_exercise_section_has_its_time_check_command_and_folded_solution(page, ex):
    section = page_section(page, ex)
    assert f"brushstrokes check {ex.id}" in section
    assert (f"About {ex.minutes} minutes" if page == "lesson1.md" else f"约 {ex.minutes} 分钟") in section
    assert "??? success" in section
    assert f'--8<-- "solutions/{MODULE}.py:{ex.function}"' in section, "the fold shows another function"


def score_block(page: str) -> list[str]:
    """The sample score block on docs/<page>: the ```text block after "(`brushstrokes check 1`)"."""
    text = (ROOT / "docs" / page).read_text()
    start = text.index("```text\n", text.index("`brushstrokes check 1`")) + len("```text\n")
    return text[start:text.index("```", start)].splitlines()


def as_shown(line: str, lessons: Path) -> str:
    """An output line as the page shows it: the lessons folder as lessons/, a ==== title line by its title
    (its width depends on the folder's name)."""
    line = line.rstrip().replace(str(lessons), "lessons")
    return line.strip("= ") if line.startswith("=") else line


@pytest.mark.parametrize(("lang", "page"), [("en", "lesson1.md"), ("zh", "lesson1.zh.md")])
def test_the_pages_score_block_is_what_the_checks_print(cli, folders, lang, page):
    """The page's learner who forgot the ReLU mask: run `brushstrokes check 1` on that code, compare the lines."""
    lessons, _ = folders
    for name in ("content_loss", "normalized_step", "reconstruct"):
        put_solution(lessons, name)
    _, _, solution = function_source((ROOT / "solutions" / f"{MODULE}.py").read_text(), "content_grad")
    unmasked = "".join(solution).replace("((F - P) * (F > 0))", "(F - P)")
    assert unmasked != "".join(solution), "solutions' content_grad changed: update this test"
    put_function(lessons, "content_grad", unmasked)
    done = cli("--lang", lang, "check", "1", env={"BRUSHSTROKES_LANG": None})
    printed = [as_shown(line, lessons) for line in done.stdout.splitlines()]
    block = [as_shown(line, lessons) for line in score_block(page)]
    start = printed.index(block[0]) if block[0] in printed else -1
    assert printed[start:start + len(block)] == block, f"update the score example on docs/{page}:\n{done.stdout}"


@pytest.mark.parametrize("ex", course.lesson("1").exercises, ids=lambda ex: ex.id)
def test_the_last_hint_is_the_solutions_code(ex):
    _, _, solution = function_source((ROOT / "solutions" / f"{MODULE}.py").read_text(), ex.function)
    solution_lines = {line.split("  #")[0].strip() for line in solution}
    for lang in ("en", "zh"):
        code = [line.strip().strip("`") for line in ex.hints[-1](lang).splitlines() if line.strip()]
        assert code and all(line in solution_lines for line in code), f"{ex.id}: {code} not in the solution"


# the learner's state: one folder, whoever writes it ----------------------------------------------------------
def test_progress_without_a_path_is_kept_in_the_state_folder(folders):
    _, state = folders
    progress.record({"1.1": ("passed", "")})
    assert progress.load(state / "progress.json")["1.1"]["status"] == "passed"
    assert progress.load()["1.1"]["status"] == "passed"


def test_the_checks_record_grades_in_the_state_folder(cli, tmp_path):
    """`pytest checks/` on lessons/ with $BRUSHSTROKES_STATE_DIR: the grade goes there, the repository's
    .brushstrokes/ stays as it was."""
    state, real = tmp_path / "state", ROOT / ".brushstrokes" / "progress.json"
    before = real.read_bytes() if real.exists() else None
    done = cli("checks/test_lesson1.py", "-q", "-p", "no:cacheprovider", "-k", "1.1", program="pytest",
               env={places.LESSONS_ENV: None, "BRUSHSTROKES_STATE_DIR": str(state)})
    assert "Brushstrokes score" in done.stdout, done.stdout + done.stderr
    assert progress.load(state / "progress.json")["1.1"]["status"] in progress.GRADED
    assert (real.read_bytes() if real.exists() else None) == before


# lessons in a folder import each other from that folder ------------------------------------------------------
def test_a_lesson_in_a_folder_imports_its_sibling_lessons_from_that_folder(folders):
    from brushstrokes.learner.loader import load_lesson

    lessons, _ = folders
    put_solution(lessons, "content_loss")
    before = {key: module for key, module in sys.modules.items() if key.split(".")[0] == "lessons"}
    lesson3 = load_lesson("lesson3_paint", folder=lessons)
    assert Path(lesson3.content_loss.__code__.co_filename).resolve() == (lessons / f"{MODULE}.py").resolve()
    assert Path(lesson3.style_loss.__code__.co_filename).resolve() == (lessons / "lesson2_style.py").resolve()
    assert lesson3.content_loss(np.ones(3), np.zeros(3)) == 1.5  # the folder's lesson 1 (solved), not lessons/
    assert {key: module for key, module in sys.modules.items() if key.split(".")[0] == "lessons"} == before


@pytest.mark.parametrize(("lang", "said", "todo"), [
    ("en", "it imports lessons.lesson1_content, and", "put your lesson1_content.py into"),
    ("zh", "它导入了 lessons.lesson1_content，但", "把你的 lesson1_content.py 也放进"),
])
def test_a_sibling_lesson_missing_from_the_folder_is_named(folders, lang, said, todo):
    from brushstrokes.learner.loader import LessonImportError, load_lesson

    lessons, _ = folders
    (lessons / f"{MODULE}.py").unlink()
    i18n.set_language(lang)
    with pytest.raises(LessonImportError) as info:
        load_lesson("lesson3_paint", folder=lessons)
    assert said in info.value.message and "lesson1_content.py" in info.value.message
    assert todo in info.value.todo


# a check of some exercises reads the grades kept from earlier runs -------------------------------------------
@pytest.mark.slow
def test_one_check_counts_the_grades_kept_before_and_says_what_is_next(folders, capsys):
    lessons, state = folders
    progress.record({"1.1": ("passed", ""), "1.2": ("passed", "")}, path=state / "progress.json")
    put_solution(lessons, "normalized_step")
    assert command_line.main(["check", "1.3"]) == 0
    out = capsys.readouterr().out
    assert "Lesson 1 · Find content   3/4" in out
    assert "Next: what you checked passes; check exercise 1.4 next: `brushstrokes check 1.4`." in out
    row = next(line for line in out.splitlines() if line.strip().startswith("1.1"))
    assert "passed" in row and "last checked" in row
    assert "check exercise 1.1 next" not in out


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "exercise 1.4 failed when last checked (wrong sign): fix reconstruct in"),
    ("zh", "练习 1.4 上次检查没有通过（符号反了）：改正"),
])
def test_one_check_points_to_an_exercise_that_failed_before(folders, capsys, lang, expected):
    lessons, state = folders
    progress.record({"1.1": ("passed", ""), "1.2": ("passed", ""),
                     "1.4": ("failed", {"en": "wrong sign", "zh": "符号反了"})}, path=state / "progress.json")
    put_solution(lessons, "normalized_step")
    assert command_line.main(["--lang", lang, "check", "1.3"]) == 0
    out = capsys.readouterr().out
    assert ("第 1 课 · 寻找内容   3/4" if lang == "zh" else "Lesson 1 · Find content   3/4") in out
    assert expected in out


# progress: the reason in the language asked for, and a wording for each grade --------------------------------
@pytest.mark.slow
def test_progress_shows_a_failure_in_the_language_asked_for_not_the_checks(folders, capsys):
    lessons, state = folders
    put_function(lessons, "content_loss", "def content_loss(F, P):\n"
                                          "    return float(np.sum((F.astype(np.float64) - P) ** 2))\n")
    assert command_line.main(["--lang", "zh", "check", "1.1"]) == 1
    capsys.readouterr()
    assert progress.load(state / "progress.json")["1.1"]["status"] == "failed"
    i18n.set_language(None)
    assert command_line.main(["--lang", "en", "progress"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.strip().startswith("1.1"))
    assert "missing the 1/2" in row and not re.search(r"[\u4e00-\u9fff]", out), out
    i18n.set_language(None)
    assert command_line.main(["--lang", "zh", "progress"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("1.1"))
    assert "漏了 1/2" in row and "missing" not in row


@pytest.mark.parametrize(("grade", "said", "not_said"), [
    (("failed", {"en": "missing ReLU mask", "zh": "缺少 ReLU 掩码"}),
     "exercise 1.2 · Its gradient, with the ReLU mask failed its last check (missing ReLU mask): fix content_grad",
     "fill in"),
    (("not started", {"en": "fill in lessons/lesson1_content.py::content_grad", "zh": "请完成"}),
     "exercise 1.2 · Its gradient, with the ReLU mask is not started: fill in content_grad", "fix content_grad"),
    (None, "exercise 1.2 · Its gradient, with the ReLU mask (never checked): fill in content_grad", "fix content_grad"),
])
def test_progress_says_next_by_the_exercises_grade(folders, capsys, grade, said, not_said):
    grades = {"1.1": ("passed", "")} | ({"1.2": grade} if grade else {})
    progress.record(grades, path=folders[1] / "progress.json")
    assert command_line.main(["progress"]) == 0
    next_line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Next:"))
    assert said in next_line and not_said not in next_line
    assert "`brushstrokes check 1.2`" in next_line


# -k selects exactly the exercise it names --------------------------------------------------------------------
@pytest.mark.parametrize("word", ["1_1", "1.1", "content_loss"])
def test_pytest_k_with_an_exercise_selects_only_its_checks(cli, word):
    """The form the checks advertise: `pytest checks/ -k 1_1` matched lesson 2's checks at layer conv1_1 too."""
    done = cli("checks/", "--collect-only", "-q", "-p", "no:cacheprovider", "-k", word, program="pytest", timeout=120)
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert collected, done.stdout
    assert all("::test_1_1_" in line for line in collected), collected


def test_pytest_k_keeps_its_meaning_for_other_words(cli):
    done = cli("checks/", "--collect-only", "-q", "-p", "no:cacheprovider", "-k", "conv1_1 and not 1_1",
               program="pytest", timeout=120)
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert collected and all("conv1_1" in line and "::test_1_1_" not in line for line in collected), done.stdout


# messages of the support code, in both languages -------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_support_messages_read_in_the_learners_language(monkeypatch, capsys, lang):
    import signal

    from brushstrokes import lesson_support
    from brushstrokes.base.errors import BrushstrokesError
    from brushstrokes.net import build, caffe_env, layers

    chinese = re.compile(r"[\u4e00-\u9fff]")
    i18n.set_language(lang)
    try:
        said = []
        for call in (lambda: build.prototxt_text("median"), lambda: layers.set_input_shape(None, 8, 8)):
            with pytest.raises(BrushstrokesError) as info:
                call()
            said += [info.value.message, info.value.todo]
        monkeypatch.setitem(sys.modules, "caffe", None)  # `import caffe` fails
        with pytest.raises(BrushstrokesError) as info:
            caffe_env.import_caffe()
        said += [info.value.message, info.value.todo]
        monkeypatch.setattr(caffe_env.shutil, "which", lambda name: None)
        said.append(caffe_env.gpu_status()[1])
        assert all(bool(chinese.search(text)) == (lang == "zh") for text in said), said
        assert "make setup" in said[5] and "16" in said[3]

        steps = lesson_support.progress(3)
        next(steps)
        signal.raise_signal(signal.SIGINT)  # the first Ctrl-C: finish this iteration, keep the result
        assert list(steps) == []
        out = capsys.readouterr().out
        assert bool(chinese.search(out)) == (lang == "zh") and "Ctrl-C" in out
    finally:
        i18n.set_language(None)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fetch_model_and_normalise_speak_the_learners_language(monkeypatch, capsys, tmp_path, lang):
    from brushstrokes.base.errors import BrushstrokesError
    from brushstrokes.net import normalise, weights

    chinese = re.compile(r"[\u4e00-\u9fff]")
    monkeypatch.setattr(weights, "fetch_model", lambda **kwargs: tmp_path / "vgg19.caffemodel")
    monkeypatch.setattr(normalise, "ensure_normalised", lambda raw, say: normalise.normalised_path(raw))
    try:
        assert command_line.main(["--lang", lang, "fetch-model"]) == 0
        out = capsys.readouterr().out
        assert str(tmp_path / "vgg19.caffemodel") in out and "brushstrokes doctor" in out
        assert bool(chinese.search(out)) == (lang == "zh")

        def refuse(**kwargs):
            raise BrushstrokesError("x", "y")

        monkeypatch.setattr(normalise, "ensure_normalised", refuse)
        assert normalise.main() == 2
        err = capsys.readouterr().err
        assert err.startswith("错误：x" if lang == "zh" else "error: x")
        assert ("怎么办：y" if lang == "zh" else "what to do: y") in err
    finally:
        i18n.set_language(None)


# the stubs as shipped ----------------------------------------------------------------------------------------
def test_the_committed_stubs_are_read_whatever_the_working_file_holds(tmp_path):
    """A repository whose lessons/ a learner has filled in: the helper the project's tests use gives the stubs."""
    from brushstrokes.learner.loader import load_lesson

    repo = tmp_path / "repo"
    (repo / "lessons").mkdir(parents=True)
    stub = committed_file(MODULE)
    assert stub is not None and "NotImplementedError" in stub
    (repo / "lessons" / f"{MODULE}.py").write_text(stub)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for args in (["init", "-q"], ["add", "lessons"], ["commit", "-q", "-m", "stubs"]):
        subprocess.run([*git, *args], check=True, capture_output=True, timeout=60)
    (repo / "lessons" / f"{MODULE}.py").write_text((ROOT / "solutions" / f"{MODULE}.py").read_text())
    assert stubs.committed_lesson(MODULE, root=repo) == stub
    folder = tmp_path / "shipped"
    assert MODULE in stubs.write_committed_lessons(folder, root=repo)
    with pytest.raises(NotImplementedError, match="1.1"):
        load_lesson(MODULE, folder=folder).content_loss(None, None)
