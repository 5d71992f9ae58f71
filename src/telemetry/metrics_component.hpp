// MetricsComponent (`metrics`, low): serves /metrics. Its start proves the registry renders; until
// it is ready /metrics answers 503, and a failure leaves the rest of the service untouched.
#pragma once

#include <functional>

#include "core/component.hpp"
#include "core/startup_report.hpp"

namespace netra::telemetry {
class Metrics;
}

namespace netra::telemetry {

namespace asio = boost::asio;

class MetricsComponent final : public core::Component {
 public:
  static constexpr const char* kName = "metrics";
  static core::ComponentSpec make_spec();

  MetricsComponent(core::ComponentSpec spec, telemetry::Metrics& metrics,
                   std::function<core::StartupReport()> report);

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

 private:
  telemetry::Metrics& metrics_;
  std::function<core::StartupReport()> report_;
};

}  // namespace netra::telemetry
