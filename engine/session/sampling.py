"""Choosing the next token: a few visible steps, each `(scores) -> scores`, never in place."""

from __future__ import annotations

import torch

from attnlab.engine.api.config import SamplingConfig


def apply_temperature(scores: torch.Tensor, temperature: float) -> torch.Tensor:
    return scores / temperature


def apply_top_k(scores: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the k highest scores; 0 keeps all."""
    if k <= 0 or k >= scores.shape[-1]:
        return scores
    threshold = torch.topk(scores, k).values[..., -1:]
    return scores.masked_fill(scores < threshold, float("-inf"))


def apply_top_p(scores: torch.Tensor, p: float) -> torch.Tensor:
    """Keep the smallest set of tokens whose probability reaches p (always at least the best one)."""
    if p >= 1.0:
        return scores
    sorted_scores, order = torch.sort(scores, descending=True)
    cumulative = sorted_scores.softmax(dim=-1).cumsum(dim=-1)
    drop_sorted = cumulative - sorted_scores.softmax(dim=-1) >= p  # mass before this token already reached p
    drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
    return scores.masked_fill(drop, float("-inf"))


def choose_token(logits: torch.Tensor, config: SamplingConfig, generator: torch.Generator) -> int:
    """One token id from 1-D logits. Sampling happens on the CPU so a seed means the same everywhere."""
    if config.greedy:
        return int(torch.argmax(logits))
    scores = logits.float().cpu()
    scores = apply_temperature(scores, config.temperature)
    scores = apply_top_k(scores, config.top_k)
    scores = apply_top_p(scores, config.top_p)
    return int(torch.multinomial(scores.softmax(dim=-1), 1, generator=generator))
