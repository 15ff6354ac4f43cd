"""Model tests: edit commands, their inverses and change events, layouts (no Qt)."""
