"""Statistics (办件统计): figures, the per-day cache, its background warmer, exports."""
