"""Long documents: the pooled store, snapshots, exact rows recomputed on demand."""
