#include "telemetry/metrics_component.hpp"

#include "core/offload_pool.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/warning_monitor.hpp"

namespace netra::telemetry {

core::ComponentSpec MetricsComponent::make_spec() {
  return {kName, core::Criticality::low, {}};
}

MetricsComponent::MetricsComponent(core::ComponentSpec spec, telemetry::Metrics& metrics,
                                   std::function<core::StartupReport()> report,
                                   std::shared_ptr<WarningMonitor> monitor)
    : core::Component(std::move(spec)),
      metrics_(metrics),
      report_(std::move(report)),
      monitor_(std::move(monitor)) {}

asio::awaitable<core::Status> MetricsComponent::start(core::LifecycleContext& ctx) {
  // Reading /proc is a blocking call: it goes through the offload pool.
  auto text = co_await ctx.offload->run([this] { return metrics_.render(report_()); });
  if (text.find("netra_build_info") == std::string::npos) {
    co_return core::Status::error("the metrics registry rendered no build info");
  }
  if (monitor_) monitor_->start();
  co_return core::Status::ok();
}

asio::awaitable<core::Status> MetricsComponent::stop(core::LifecycleContext&) {
  if (monitor_) monitor_->stop();
  co_return core::Status::ok();
}

}  // namespace netra::telemetry
