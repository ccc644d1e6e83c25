"""The registry's data types: an Exercise and a Lesson (their texts are base.i18n.Text)."""

from __future__ import annotations

from dataclasses import dataclass, field

from brushstrokes.base.i18n import Text


@dataclass(frozen=True)
class Exercise:
    """One exercise: id ('1.2'), the function the learner writes, and what the tools need to know about it.

    title: the heading of the exercise's section on the lesson page, after "Exercise 1.2 · " (each language);
    uses: ids of the exercises whose functions this one calls (the checks swap in the reference ones);
    hints: the hint ladder, from a nudge to the last step (which points to the folded solution on the site);
    minutes: a time estimate; stretch: graded and listed apart from the core exercises;
    called_by: the run commands ('content', 'style', 'paint') that call this function themselves with `--use lessons`;
    option: the option of those commands without which they do not call it ('--colour'; '' = every run calls it);
    solution: the anchor of the page section whose fold shows the solution, when it is not the exercise's own
    section (`anchor`); the fold takes the function by name: `--8<-- "solutions/<module>.py:<function>"`.
    """

    id: str
    function: str
    title: Text
    minutes: int
    hints: tuple[Text, ...]
    uses: tuple[str, ...] = ()
    stretch: bool = False
    called_by: tuple[str, ...] = ()
    option: str = ""
    solution: str = ""

    @property
    def anchor(self) -> str:
        """The anchor of the exercise's section on its lesson page, in both languages: 'exercise-1-2'."""
        return "exercise-" + self.id.replace(".", "-")

    @property
    def solution_anchor(self) -> str:
        """The anchor of the page section that shows the folded solution: 'exercise-3-6' for 3.4."""
        return self.solution or self.anchor

    def heading(self, lang: str = "en") -> str:
        """The section heading on the lesson page, without its anchor: 'Exercise 1.2 · Its gradient, ...'."""
        word = "练习" if lang == "zh" else "Exercise"
        return f"{word} {self.id} · {self.title(lang)}"

    @property
    def keyword(self) -> str:
        """What `pytest -k` matches for this exercise's checks ('1_2')."""
        return self.id.replace(".", "_")


@dataclass(frozen=True)
class Lesson:
    """One lesson: number, title, the module in lessons/ and solutions/, its exercises, how to run it.

    run: the command that runs the lesson with the learner's code (shown when every exercise passes);
    page: the lesson's page in docs/ (English; the Chinese one is page.zh.md);
    command: the run command whose optimisation loop this lesson writes ('content', 'style', 'paint');
    loop: the id of the exercise whose function is that loop;
    helpers: public functions of the lessons/ and solutions/ module that are not exercises (none so far).
    """

    number: str
    title: Text
    module: str
    exercises: tuple[Exercise, ...]
    run: str
    page: str
    command: str
    loop: str
    done: Text = field(default_factory=lambda: Text("", ""))
    helpers: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        """The learner's file, as typed from the project folder."""
        return f"lessons/{self.module}.py"

    def page_in(self, lang: str = "en") -> str:
        """The lesson page in `lang`, under docs/: 'lesson1.md' or 'lesson1.zh.md'."""
        return self.page if lang == "en" else self.page.replace(".md", f".{lang}.md")

    def heading(self, lang: str = "en") -> str:
        word = "第 {n} 课" if lang == "zh" else "Lesson {n}"
        return f"{word.format(n=self.number)} · {self.title(lang)}"
