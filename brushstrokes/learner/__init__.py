"""The learner's workflow behind `brushstrokes check/watch/hint/reset/progress`.

places.py   where the lesson files and the learner's state (.brushstrokes/) are
messages.py every message of these commands, in English and Chinese
runner.py   run the checks of some exercises in a subprocess and read their grades
hints.py    the hint ladder, one step per call
stubs.py    put one function back to its original stub
query.py    what the learner typed (1.2, 1_2, content_grad, 1) -> exercises
watch.py    re-check the current exercise on every save, and move on when it passes
standing.py where the learner stands: the current exercise, the progress table
"""
