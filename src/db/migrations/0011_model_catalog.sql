-- The model catalog's entries an administrator set (PUT /api/catalog/models/{id}), laid over the
-- catalog compiled in (or agents.catalog_file) by analytics::CatalogOverlay on every instance.
-- `entry` is the entry's JSON; `updated_at` orders the changes. Portable SQL, like 0001.
CREATE TABLE model_catalog_entries (
  id TEXT PRIMARY KEY,
  entry TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
