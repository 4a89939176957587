"""Torch-free types the window may import: results, config, errors, the stores' read side, session files."""
