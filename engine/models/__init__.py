"""Finding, resolving, converting and loading models; the catalog; size estimates."""
