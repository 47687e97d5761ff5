"""The read-only JSON API: published content, the timeline's own filters, OpenAPI schema."""
