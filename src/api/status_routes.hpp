// The /status page: a page a person reads (every component with its state and error, the start-up
// timeline with its critical chain, breakers, pools, event-loop lag, the job queue, the last
// warnings and errors), its script and style compiled into the binary, and /status/feed, the JSON
// it polls. The page holds no data; the feed needs an administrator (auth.admin_emails) unless
// monitoring.status_public is true, in which case anyone sees what /health shows anyone.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/startup_report.hpp"
#include "net/router.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/metrics.hpp"

namespace netra::auth {
class AuthState;
}
namespace netra::core {
class HealthRegistry;
}

namespace netra::api {

struct StatusPageOptions {
  std::vector<std::string> admin_emails;  // auth.admin_emails
  bool public_page = false;               // monitoring.status_public
};

// What the feed reads: all of it in memory, never a dependency.
struct StatusSource {
  std::function<core::StartupReport()> report;
  std::function<bool()> draining;
  const core::HealthRegistry* registry = nullptr;
  std::function<std::vector<telemetry::Metrics::LoopLag>()> loop_lags;
  std::function<std::vector<telemetry::LoggedProblem>()> problems;
  std::string version;
  std::string commit;
};

// One file of the page (api/status_page/, compiled in): where it is served, its type and text.
struct StatusAsset {
  std::string path;
  std::string content_type;
  std::string_view text;
};
const std::vector<StatusAsset>& status_assets();

// `auth` finds an administrator's email where the auth service runs in this process.
void add_status_routes(net::Router& router, StatusSource source, StatusPageOptions options,
                       auth::AuthState& auth);

}  // namespace netra::api
