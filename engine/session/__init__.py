"""Encoder and generation sessions: stepping, sampling, tokens."""
