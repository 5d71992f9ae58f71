#include "faults/workload_batches.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "support/netra_server.hpp"

namespace netra::testing {

using nlohmann::json;

std::string batch_body(int batch, int count) {
  json events = json::array();
  const int64_t base = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() -
                       3'600'000;
  for (int i = 0; i < count; ++i) {
    events.push_back({{"timestamp", base + i},
                      {"workload_id", "w-" + std::to_string(batch)},
                      {"provider", "openai"},
                      {"model", "gpt-4o-mini"},
                      {"input_tokens", 100 + i % 50},
                      {"output_tokens", 10},
                      {"latency_ms", 200 + i % 300},
                      {"cost_usd", 0.001}});
  }
  return events.dump();
}

std::string ingest_request(const std::string& body, const std::string& token) {
  return "POST /api/workloads/events HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

StoredEvents stored_events(NetraServer& server, const std::string& token, int batch_size) {
  const auto summary = server.expect(200, "GET", "/api/workloads/summary?group_by=workload", token);
  StoredEvents stored;
  stored.per_workload = summary["groups"].dump();
  for (const auto& group : summary["groups"]) {
    const auto requests = group["requests"].get<int64_t>();
    stored.total += requests;
    if (requests != batch_size) stored.every_batch_whole = false;
  }
  return stored;
}

}  // namespace netra::testing
