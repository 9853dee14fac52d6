"""Django apps: persistence and workflow around the pure layer."""
