"""The registry's data types: a Text in two languages, an Exercise, a Lesson."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    """One learner-facing message in English and Chinese (`str.format` fields allowed in both)."""

    en: str
    zh: str

    def __call__(self, lang: str = "en", **fields: object) -> str:
        return (self.zh if lang == "zh" else self.en).format(**fields)


@dataclass(frozen=True)
class Exercise:
    """One exercise: id ('1.2'), the function the learner writes, and what the tools need to know about it.

    uses: ids of the exercises whose functions this one calls (the checks swap in the reference ones);
    hints: the hint ladder, from a nudge to the last step (which points to the folded solution on the site);
    minutes: a time estimate; stretch: graded and listed apart from the core exercises.
    """

    id: str
    function: str
    title: Text
    minutes: int
    hints: tuple[Text, ...]
    uses: tuple[str, ...] = ()
    stretch: bool = False

    @property
    def keyword(self) -> str:
        """What `pytest -k` matches for this exercise's checks ('1_2')."""
        return self.id.replace(".", "_")


@dataclass(frozen=True)
class Lesson:
    """One lesson: number, title, the module in lessons/ and solutions/, its exercises, how to run it.

    run: the command that runs the lesson with the learner's code (shown when every exercise passes);
    page: the lesson's page in docs/ (English; the Chinese one is page.zh.md).
    """

    number: str
    title: Text
    module: str
    exercises: tuple[Exercise, ...]
    run: str
    page: str
    done: Text = field(default_factory=lambda: Text("", ""))

    @property
    def file(self) -> str:
        """The learner's file, as typed from the project folder."""
        return f"lessons/{self.module}.py"

    def heading(self, lang: str = "en") -> str:
        word = "第 {n} 课" if lang == "zh" else "Lesson {n}"
        return f"{word.format(n=self.number)} · {self.title(lang)}"
