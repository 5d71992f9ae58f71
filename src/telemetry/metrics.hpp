// Metrics: the service's Prometheus registry — HTTP traffic, component states and start-up,
// process resources and build info — rendered in the text exposition format for /metrics.
#pragma once

#include <memory>
#include <string>

#include "core/startup_report.hpp"

namespace netra::telemetry {

class Metrics {
 public:
  Metrics(const std::string& version, const std::string& commit);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Thread-safe; called for every request.
  void http_request_started();
  void http_request_finished(const std::string& route, const std::string& method, int status,
                             double seconds);

  // Refreshes the component and process gauges from `report`, then renders every family.
  std::string render(const core::StartupReport& report);

 private:
  struct Families;
  std::unique_ptr<Families> families_;
};

}  // namespace netra::telemetry
