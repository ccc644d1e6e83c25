"""The exercises: fill in the functions marked TODO, then run `brushstrokes check`."""
