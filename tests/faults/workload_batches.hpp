// Full batches of workload events for the fault tests: the longest insert a client can cause,
// each batch told apart by its workload id, and the count the store holds afterwards.
#pragma once

#include <cstdint>
#include <string>

namespace netra::testing {

class NetraServer;

inline constexpr int kFullBatch = 10'000;  // analytics::kMaxBatchEvents

// `events` events of the last hour, all of workload "w-<batch>".
std::string batch_body(int batch, int events);
inline std::string full_batch_body(int batch) {
  return batch_body(batch, kFullBatch);
}
// The raw POST /api/workloads/events request carrying `body`.
std::string ingest_request(const std::string& body, const std::string& token);
// Events stored for the caller, per workload id ("w-<batch>") and in total.
struct StoredEvents {
  int64_t total = 0;
  std::string per_workload;  // the groups as JSON, for failure messages
  bool every_batch_whole = true;
};
// `every_batch_whole`: each workload holds `batch_size` events.
StoredEvents stored_events(NetraServer& server, const std::string& token,
                           int batch_size = kFullBatch);

}  // namespace netra::testing
