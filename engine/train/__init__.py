"""Training tiny models in the engine: the three tasks, the loop, checkpoints as ordinary model folders."""
