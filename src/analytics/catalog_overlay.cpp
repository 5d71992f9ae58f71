#include "analytics/catalog_overlay.hpp"

#include <algorithm>

#include "telemetry/logging.hpp"

namespace netra::analytics {

asio::awaitable<core::Status> CatalogOverlay::refresh(core::Deadline deadline) {
  db::Params none;
  auto rows =
      co_await db_.query("SELECT id, entry, updated_at FROM model_catalog_entries ORDER BY id",
                         std::move(none), deadline, "model_catalog_entries.list");
  if (!rows) co_return core::Status::error(rows.error().message);
  std::string version;
  std::vector<CatalogEntry> entries;
  std::vector<std::string> ids;
  for (const auto& row : rows->rows) {
    const auto id = row.text(0);
    version += id + "@" + std::to_string(row.int64(2)) + ";";
    auto parsed = parse_catalog_entry(id, nlohmann::json::parse(row.text(1), nullptr, false));
    if (!parsed) {
      // Written by another version, or by hand: the base entry stands.
      telemetry::logger("agent_supervisor")
          ->warn("model catalog entry {} in the database is not used: {}", id, parsed.error());
      continue;
    }
    ids.push_back(id);
    entries.push_back(std::move(parsed.value()));
  }
  std::lock_guard lock(mutex_);
  if (version == version_) co_return core::Status::ok();
  auto merged = with_entries(base_, entries);
  if (auto problems = catalog_problems(merged); !problems.empty()) {
    // Each entry was checked when it was put; a base changed since (another catalog file) may
    // no longer take them. The base alone stands.
    telemetry::logger("agent_supervisor")
        ->warn(
            "the administrators' model catalog entries do not fit the base catalog ({}); "
            "using the base alone",
            problems.front());
    merged = base_;
    ids.clear();
  }
  install_catalog(merged);
  version_ = std::move(version);
  overridden_ = std::move(ids);
  co_return core::Status::ok();
}

asio::awaitable<std::optional<CatalogOverlay::PutFailure>> CatalogOverlay::put(
    CatalogEntry entry, std::string updated_by, int64_t now, core::Deadline deadline) {
  auto refreshed = co_await refresh(deadline);
  if (!refreshed.ok()) co_return PutFailure{false, refreshed.message()};
  const auto checked = with_entries(installed_catalog(), {entry});
  if (auto problems = catalog_problems(checked); !problems.empty()) {
    co_return PutFailure{true, problems.front()};
  }
  const std::string id = entry.id;
  db::Params values{id, to_json(entry).dump(), std::move(updated_by), now};
  auto stored = co_await db_.query(
      "INSERT INTO model_catalog_entries (id, entry, updated_by, updated_at) VALUES ($1, $2, $3, "
      "$4) ON CONFLICT (id) DO UPDATE SET entry = excluded.entry, updated_by = "
      "excluded.updated_by, updated_at = excluded.updated_at",
      std::move(values), deadline, "model_catalog_entries.put");
  if (!stored) co_return PutFailure{false, stored.error().message};
  refreshed = co_await refresh(deadline);
  if (!refreshed.ok()) co_return PutFailure{false, refreshed.message()};
  co_return std::nullopt;
}

bool CatalogOverlay::overridden(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return std::find(overridden_.begin(), overridden_.end(), id) != overridden_.end();
}

}  // namespace netra::analytics
