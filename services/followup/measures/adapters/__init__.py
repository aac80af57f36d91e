"""SQL of the measures read model: writes (store) and reads (queries)."""
