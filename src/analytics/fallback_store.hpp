// FallbackAnalyticsStore: the store the service reads and writes through — ClickHouse while it is
// configured, started and answering; the embedded store when it is not configured, not started
// (the `clickhouse` component is degraded) or failing (its circuit breaker open), so workload
// features keep serving through a ClickHouse outage and say which backend answered.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "analytics/analytics_store.hpp"

namespace netra::analytics {

class ClickHouseStore;

class FallbackAnalyticsStore final : public AnalyticsStore {
 public:
  // `clickhouse` may be null (analytics.url is empty). Each ClickHouse call gets at most
  // `clickhouse_timeout` of the caller's deadline, so a read that times out there still has time
  // left for the embedded store.
  FallbackAnalyticsStore(std::shared_ptr<ClickHouseStore> clickhouse,
                         std::shared_ptr<AnalyticsStore> embedded,
                         std::chrono::milliseconds clickhouse_timeout);
  ~FallbackAnalyticsStore() override;

  // Whether ClickHouse takes calls: set by the component when a start succeeds (its schema is
  // there), cleared when one fails or it stops. Thread-safe.
  void set_clickhouse_live(bool live);
  bool clickhouse_configured() const { return clickhouse_ != nullptr; }

  // How many events writes put into the embedded store while ClickHouse is configured (an outage
  // buffered them) since the last take; `take_buffered` also resets it. The component's replay
  // moves such events to ClickHouse and keeps the buffer's gauge.
  uint64_t take_buffered() { return buffered_events_.exchange(0); }
  uint64_t buffered_since_take() const { return buffered_events_.load(); }

  // Where the next call goes: "clickhouse" while it is live and its breaker is not open.
  std::string_view backend() const override;

  // Where a failed ClickHouse call goes: reads go to the embedded store when ClickHouse cannot be
  // reached or does not answer in time; writes only when it was not reached (a write that timed
  // out may have landed, and a second copy elsewhere would count it twice): the error is returned.
  asio::awaitable<Served<size_t>> insert_served(std::string user_id,
                                                std::vector<WorkloadEvent> events,
                                                core::Deadline deadline);
  asio::awaitable<Served<std::vector<GroupSummary>>> summary_served(
      std::string user_id, TimeRange range, GroupBy group_by, core::Deadline deadline) override;
  asio::awaitable<Served<std::vector<RepeatedPrompt>>> repeated_prompts_served(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) override;
  asio::awaitable<Served<std::vector<TimeBucket>>> timeline_served(
      std::string user_id, TimeRange range, int64_t bucket_ms, core::Deadline deadline) override;
  asio::awaitable<Served<std::vector<WorkloadEvent>>> events_served(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) override;

  asio::awaitable<AnalyticsResult<size_t>> insert(std::string user_id,
                                                  std::vector<WorkloadEvent> events,
                                                  core::Deadline deadline) override;
  asio::awaitable<AnalyticsResult<std::vector<GroupSummary>>> summary(
      std::string user_id, TimeRange range, GroupBy group_by, core::Deadline deadline) override;
  asio::awaitable<AnalyticsResult<std::vector<RepeatedPrompt>>> repeated_prompts(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) override;
  asio::awaitable<AnalyticsResult<std::vector<TimeBucket>>> timeline(
      std::string user_id, TimeRange range, int64_t bucket_ms, core::Deadline deadline) override;
  asio::awaitable<AnalyticsResult<std::vector<WorkloadEvent>>> events(
      std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) override;

 private:
  template <typename T>
  using Call = std::function<asio::awaitable<AnalyticsResult<T>>(AnalyticsStore&, core::Deadline)>;
  enum class Kind { read, write };

  // A read of the interface: (user, range, one argument, deadline).
  template <typename T, typename Arg>
  using ReadMethod = asio::awaitable<AnalyticsResult<T>> (AnalyticsStore::*)(std::string, TimeRange,
                                                                             Arg, core::Deadline);

  template <typename T>
  asio::awaitable<Served<T>> serve(Call<T> call, Kind kind, core::Deadline deadline);
  template <typename T, typename Arg>
  asio::awaitable<Served<T>> read(ReadMethod<T, Arg> method, std::string user_id, TimeRange range,
                                  Arg arg, core::Deadline deadline);
  bool use_clickhouse() const;
  void note_fallback(const AnalyticsError& error);
  // When ClickHouse stopped answering: marked by the first call the embedded store serves in
  // its place, cleared when ClickHouse answers.
  int64_t outage_since_ms();
  void note_clickhouse_answered();

  std::shared_ptr<ClickHouseStore> clickhouse_;
  std::shared_ptr<AnalyticsStore> embedded_;
  std::chrono::milliseconds clickhouse_timeout_;
  std::atomic<bool> live_{false};
  std::atomic<bool> falling_back_{false};  // for one log line per outage, not one per call
  std::atomic<uint64_t> buffered_events_{0};
  std::atomic<int64_t> outage_since_ms_{0};  // 0: ClickHouse answered the last call it was given
};

}  // namespace netra::analytics
