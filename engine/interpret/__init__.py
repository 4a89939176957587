"""Analyses that run the model: the logit lens, head importance, the formula inspector, the induction probe."""
