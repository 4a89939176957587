"""The attention function every architecture runs through, the legacy path, module sites."""
