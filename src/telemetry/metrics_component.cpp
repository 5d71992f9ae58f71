#include "telemetry/metrics_component.hpp"

#include "core/offload_pool.hpp"
#include "telemetry/metrics.hpp"

namespace netra::telemetry {

core::ComponentSpec MetricsComponent::make_spec() {
  return {kName, core::Criticality::low, {}};
}

MetricsComponent::MetricsComponent(core::ComponentSpec spec, telemetry::Metrics& metrics,
                                   std::function<core::StartupReport()> report)
    : core::Component(std::move(spec)), metrics_(metrics), report_(std::move(report)) {}

asio::awaitable<core::Status> MetricsComponent::start(core::LifecycleContext& ctx) {
  // Reading /proc is a blocking call: it goes through the offload pool.
  auto text = co_await ctx.offload->run([this] { return metrics_.render(report_()); });
  if (text.find("netra_build_info") == std::string::npos) {
    co_return core::Status::error("the metrics registry rendered no build info");
  }
  co_return core::Status::ok();
}

asio::awaitable<core::Status> MetricsComponent::stop(core::LifecycleContext&) {
  co_return core::Status::ok();
}

}  // namespace netra::telemetry
