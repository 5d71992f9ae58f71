// CatalogOverlay: the administrators' catalog entries, kept in the database so that every
// instance prices with the same list, laid over the base catalog (compiled in, or
// agents.catalog_file) and installed as the process's catalog. refresh() reads the entries and
// installs again only when they changed: a run calls it before it prices anything, so an entry
// set on one instance is used by the next run on every other.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <mutex>
#include <optional>
#include <string>

#include "analytics/model_catalog.hpp"
#include "core/deadline.hpp"
#include "core/status.hpp"
#include "db/database.hpp"

namespace netra::analytics {

namespace asio = boost::asio;

class CatalogOverlay {
 public:
  CatalogOverlay(db::Database& db, CatalogData base) : db_(db), base_(std::move(base)) {}

  // Installs the base with the stored entries over it, when they changed since the last call.
  // An error (the database did not answer) leaves the installed catalog as it is.
  asio::awaitable<core::Status> refresh(core::Deadline deadline);

  struct PutFailure {
    bool invalid = false;  // the entry (what is wrong is in message); else the store failed
    std::string message;
  };
  // Stores `entry` (replacing the one with its id) when the catalog with it passes every check,
  // then installs it; nullopt when done.
  asio::awaitable<std::optional<PutFailure>> put(CatalogEntry entry, std::string updated_by,
                                                 int64_t now, core::Deadline deadline);
  // Whether an administrator set this id's entry (as of the last refresh).
  bool overridden(const std::string& id) const;

 private:
  db::Database& db_;
  const CatalogData base_;
  mutable std::mutex mutex_;
  std::string version_;  // of the entries last installed: their ids and times
  std::vector<std::string> overridden_;
};

}  // namespace netra::analytics
