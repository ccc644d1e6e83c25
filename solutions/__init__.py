"""Reference solutions of the lessons (same names and signatures as lessons/)."""
