-- A page of a user's threads is ordered by (updated_at, id), both descending: an index in that
-- order lets PostgreSQL read the page's rows alone, where (owner_id, updated_at) left it to sort
-- every visible thread. It serves whatever the older index did, which goes. Portable SQL.
CREATE INDEX threads_by_owner_order ON threads (owner_id, updated_at, id);
DROP INDEX threads_by_owner_activity;
