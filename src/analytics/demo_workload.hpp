// DemoWorkload: synthetic but realistic workload events, so a new user gets a meaningful report
// from the first minute (`netra demo-data`) and benchmarks have data: several providers and
// models at their list prices, heavy-tailed token counts, per-model latencies, repeated prompts,
// error bursts. The same options give the same events; the same seed at another time gives the
// same workloads, models, input tokens and prompts, placed relative to that time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analytics/workload_event.hpp"

namespace netra::analytics {

// How fast a model answers; its list prices are the catalog's (model_catalog.hpp).
struct ModelProfile {
  std::string provider;
  std::string model;                // as the vendor's API reports it; find_model() knows it
  int64_t base_latency_ms = 0;      // time to the first token, typical
  double ms_per_output_token = 0;   // generation speed
  int64_t context_tokens = 128000;  // the largest input it takes
};

// The models the demo uses; each call costs what the catalog's list prices say.
const std::vector<ModelProfile>& demo_models();

struct DemoWorkloadOptions {
  int64_t now_ms = 0;  // events fall in [now − days, now)
  int days = 30;       // 1 to 3650
  size_t events = 10000;
  uint64_t seed = 1;
};

class DemoWorkload {
 public:
  // Throws std::invalid_argument for days outside 1–3650 or a now_ms the events cannot fit.
  explicit DemoWorkload(DemoWorkloadOptions options);

  // The next events (at most `max`), each stamped with an event id derived from the seed; empty
  // once `events` were made. user_id is left empty for the store to set.
  std::vector<WorkloadEvent> next_batch(size_t max);
  size_t made() const { return made_; }

 private:
  struct Burst {
    int64_t from_ms = 0;
    int64_t to_ms = 0;
    std::string provider;
    std::string error_type;
  };

  WorkloadEvent make_event();
  uint64_t next();   // splitmix64: the same numbers on every platform and library
  double uniform();  // [0, 1)
  double normal();   // mean 0, deviation 1
  double lognormal(double median, double sigma);
  int64_t timestamp();  // busier on weekdays and in working hours (UTC)

  DemoWorkloadOptions options_;
  uint64_t state_;
  size_t made_ = 0;
  std::vector<Burst> bursts_;
};

}  // namespace netra::analytics
