// MetricsComponent (`metrics`, low): serves /metrics and runs the warning checks. Its start proves
// the registry renders; until it is ready /metrics answers 503, and a failure leaves the rest of
// the service untouched.
#pragma once

#include <functional>
#include <memory>

#include "core/component.hpp"
#include "core/startup_report.hpp"

namespace netra::telemetry {
class Metrics;
class WarningMonitor;
}  // namespace netra::telemetry

namespace netra::telemetry {

namespace asio = boost::asio;

class MetricsComponent final : public core::Component {
 public:
  static constexpr const char* kName = "metrics";
  static core::ComponentSpec make_spec();

  // `monitor`: the warning checks, run while the component is ready (nullptr: none).
  MetricsComponent(core::ComponentSpec spec, telemetry::Metrics& metrics,
                   std::function<core::StartupReport()> report,
                   std::shared_ptr<WarningMonitor> monitor = nullptr);

  asio::awaitable<core::Status> start(core::LifecycleContext& ctx) override;
  asio::awaitable<core::Status> stop(core::LifecycleContext& ctx) override;

 private:
  telemetry::Metrics& metrics_;
  std::function<core::StartupReport()> report_;
  std::shared_ptr<WarningMonitor> monitor_;
};

}  // namespace netra::telemetry
