"""The whole-review archive: its file format (pure); the services export and restore it."""
