// Seeing the service from outside: the metrics registry's component with the warning monitor
// (monitoring.*, its webhook), and the tracing component with its OTLP/HTTP transport
// (tracing.*). Each has an HTTP client of its own, made only when a URL is configured.
#include "app/catalog_entries.hpp"
#include "app/config.hpp"
#include "core/build_info.hpp"
#include "core/event_loops.hpp"
#include "db/database_settings.hpp"
#include "net/http_json.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/metrics_component.hpp"
#include "telemetry/tracing_component.hpp"
#include "telemetry/warning_monitor.hpp"

namespace netra::app {
namespace {

// Posts one JSON body (spans to the collector, a warning to the webhook) with a client the
// callback keeps alive.
boost::asio::awaitable<std::string> post_json(std::shared_ptr<net::HttpClient> client,
                                              std::string url, std::string body,
                                              core::Deadline deadline) {
  co_return co_await net::post_json(*client, std::move(url), std::move(body), deadline);
}

// A callback that posts JSON bodies to `url` through an HTTP client of its own: telemetry never
// queues behind ClickHouse's or the language model's calls. Made only for a configured URL: a
// client loads the system's certificate authorities when made (about 40 ms, which a start would
// otherwise pay for nothing).
using JsonPoster = std::function<boost::asio::awaitable<std::string>(std::string, core::Deadline)>;
JsonPoster json_poster(const BuildContext& ctx, std::string url, size_t max_answer_bytes) {
  net::HttpClientOptions options;
  options.max_response_body_bytes = max_answer_bytes;
  options.ca_file = ctx.settings().auth.ca_file;
  auto client = std::make_shared<net::HttpClient>(options);
  return [client, url = std::move(url)](std::string body, core::Deadline deadline) {
    return post_json(client, url, std::move(body), deadline);
  };
}

std::shared_ptr<telemetry::WarningMonitor> warning_monitor(const BuildContext& ctx,
                                                           const std::string& instance_id) {
  const auto& p = ctx.process();
  if (p.loops.empty() || !ctx.settings().monitoring.enabled) return nullptr;
  const auto& settings = ctx.settings().monitoring;
  telemetry::WarningMonitor::Webhook webhook;
  if (!settings.webhook_url.empty()) webhook = json_poster(ctx, settings.webhook_url, 64 * 1024);
  return std::make_shared<telemetry::WarningMonitor>(
      p.loops.front(),
      telemetry::WarningMonitor::Sources{p.metrics, p.health, p.offload,
                                         db::sqlite_directory(ctx.settings().database)},
      settings, webhook, instance_id);
}

}  // namespace

CatalogEntry metrics_entry(std::string instance_id) {
  auto entry = entry_of<telemetry::MetricsComponent>(
      telemetry::MetricsComponent::make_spec(),
      [instance_id](const BuildContext& ctx, const auto& spec) {
        return std::make_shared<telemetry::MetricsComponent>(
            spec, ctx.process().metrics, ctx.process().report, warning_monitor(ctx, instance_id));
      });
  entry.validate = [](const Config& config) {
    throw_if_any(telemetry::monitoring_settings_schema().problems(config));
  };
  return entry;
}

CatalogEntry tracing_entry(std::string instance_id) {
  auto entry = entry_of<telemetry::TracingComponent>(
      telemetry::TracingComponent::make_spec(),
      [instance_id](const BuildContext& ctx, const auto& spec) {
        const auto& settings = ctx.settings().tracing;
        telemetry::SpanExporter::Transport transport;
        if (!settings.otlp_endpoint.empty()) {
          transport = json_poster(ctx, settings.traces_url(), 1024 * 1024);
        }
        return std::make_shared<telemetry::TracingComponent>(
            spec, settings,
            telemetry::TraceResource{.service_name = "netra",
                                     .service_version = core::kVersion,
                                     .instance_id = instance_id},
            transport, ctx.process().tracer, ctx.process().health);
      });
  entry.validate = [](const Config& config) {
    throw_if_any(telemetry::tracing_settings_schema().problems(config));
  };
  return entry;
}

}  // namespace netra::app
