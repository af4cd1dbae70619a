"""Bootstrap, logger and the root library object (official module paths)."""
