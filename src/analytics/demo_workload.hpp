// DemoWorkload: synthetic but realistic workload events, so a new user gets a meaningful report
// from the first minute (`netra demo-data`, or a synthetic-data job started from the API) and
// benchmarks have data: several providers and models at their list prices, heavy-tailed token
// counts, per-model latencies, repeated prompts, error bursts. The same options give the same
// events; the same seed at another time gives the same workloads, models, input tokens and
// prompts, placed relative to that time. Each event is drawn from a stream of its own, so the
// events from any position on can be made without making the ones before (skip()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
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

// What share of a workload's calls goes to a model.
struct ModelShare {
  const char* model;
  double share;
};

// One application of a synthetic user: its traffic, the models it calls and what its calls look
// like. Shaped so that every recommendation the agent makes has evidence somewhere: short simple
// calls on an expensive model, repeated prompts, inputs that dwarf outputs, error bursts.
struct WorkloadProfile {
  const char* id;
  const char* team;
  double weight;  // its share of the traffic when every demo workload runs
  std::vector<ModelShare> models;
  double input_median;
  double input_sigma;  // lognormal: 1.0 gives a tail two orders above the median
  double output_median;
  double output_sigma;
  double repeat_share;  // calls that send one of its popular prompts
  int popular_prompts;
  double cache_share;  // of those, answered from the caller's own cache
  bool in_demo;        // one of the demo's six (the workloads used when none are named)
};
const std::vector<WorkloadProfile>& workload_profiles();
const WorkloadProfile* find_workload_profile(std::string_view id);

// A named set of workloads a user can pick to generate (GET /api/generation/templates).
struct WorkloadTemplate {
  const char* id;
  const char* name;
  const char* description;
  std::vector<std::string> workloads;  // profile ids; their weights are rescaled to sum to 1
  int suggested_days;
  size_t suggested_events;
};
const std::vector<WorkloadTemplate>& workload_templates();
const WorkloadTemplate* find_workload_template(std::string_view id);

struct DemoWorkloadOptions {
  int64_t now_ms = 0;  // events fall in [now − days, now)
  int days = 30;       // 1 to 3650
  size_t events = 10000;
  uint64_t seed = 1;
  // Profile ids to draw from (each at most once); empty: the demo's six.
  std::vector<std::string> workloads = {};
  // With a prefix, event i (from 0) is `<prefix><i>`, so that a writer that resumes knows the ids
  // it wrote; without, ids are derived from the seed ("evt_demo_…").
  std::string event_id_prefix = {};
};

class DemoWorkload {
 public:
  // Throws std::invalid_argument for days outside 1–3650, a now_ms the events cannot fit, an
  // unknown or repeated workload id, or a prefix that leaves no room for the event number.
  explicit DemoWorkload(DemoWorkloadOptions options);

  // The next events (at most `max`), each stamped with its event id; empty once `events` were
  // made. user_id is left empty for the store to set.
  std::vector<WorkloadEvent> next_batch(size_t max);
  // Moves on `count` events (at most to the end) without making them.
  void skip(size_t count);
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
  std::vector<size_t> profiles_;  // indices into workload_profiles()
  double total_weight_ = 0;
  uint64_t state_;
  size_t made_ = 0;
  std::vector<Burst> bursts_;
};

}  // namespace netra::analytics
