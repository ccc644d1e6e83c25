"""The ground floor: errors, the two languages, paths, whole-or-nothing files, thread counts."""
