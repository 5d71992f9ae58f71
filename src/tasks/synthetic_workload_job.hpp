// The `synthetic_workload` job: workload events made by analytics::DemoWorkload from a template
// (or a list of workloads), written for the job's owner through the analytics store in chunks —
// what POST /api/generation/synthetic queues, and what `netra demo-data` writes inline.
//
// Exactly the number asked for, also across a crash: event i of job J has the id `evt_J_i`, and
// the events from any position on are made without the ones before. A chunk is stored as a whole
// or not at all; after each one the job's progress (chunks done / chunks) is recorded. An attempt
// that takes over resumes at the recorded chunk, after looking up whether the previous attempt
// stored that chunk before it died (then it is counted, not written again).
//
// The owner's sockets hear generation_started, generation_progress after each chunk,
// generation_completed {events, cost_usd} or generation_failed {code, message}.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "tasks/job_workers.hpp"

namespace netra::analytics {
class FallbackAnalyticsStore;
}
namespace netra::core {
class OffloadPool;
}

namespace netra::tasks {

inline constexpr const char* kSyntheticWorkloadKind = "synthetic_workload";

struct SyntheticRequest {
  std::string template_id;             // empty when the workloads were named
  std::vector<std::string> workloads;  // profile ids
  int days = 30;
  int64_t events = 10000;
  uint64_t seed = 1;
  int64_t now_ms = 0;  // events fall in [now − days, now): fixed when queued, for a resumed job
};

struct SyntheticLimits {
  static constexpr int64_t kMaxEvents = 1'000'000;
  static constexpr int kMaxDays = 365;
  static constexpr int64_t kMaxActivePerUser = 3;  // queued or running
};

// A request body {template | workloads, days?, events?, seed?}: the request, or the problems
// (field → rule) for a 400. Without a seed, `random_seed`; the events end at `now_ms`.
core::Result<SyntheticRequest, nlohmann::json> parse_synthetic_request(const nlohmann::json& body,
                                                                       int64_t now_ms,
                                                                       uint64_t random_seed);
nlohmann::json synthetic_payload(const SyntheticRequest& request);
std::optional<SyntheticRequest> synthetic_request_from(const nlohmann::json& payload);

class SyntheticWorkloadJob final : public JobHandler {
 public:
  static constexpr size_t kChunkEvents = 10'000;

  // What the owner's sockets hear: {"type": "generation_…", "data": {…}}.
  using Notify = std::function<void(const std::string& user_id, nlohmann::json message)>;
  // The owner's workload data changed (their cached summaries must go).
  using DataChanged = std::function<boost::asio::awaitable<void>(std::string user_id)>;

  // Events are made on `offload`; it and `store` outlive the job's runs.
  SyntheticWorkloadJob(std::shared_ptr<analytics::FallbackAnalyticsStore> store,
                       core::OffloadPool& offload, Notify notify, DataChanged changed);

  boost::asio::awaitable<JobOutcome> run(JobContext& job) override;

 private:
  std::shared_ptr<analytics::FallbackAnalyticsStore> store_;
  core::OffloadPool& offload_;
  Notify notify_;
  DataChanged changed_;
};

}  // namespace netra::tasks
