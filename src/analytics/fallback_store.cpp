#include "analytics/fallback_store.hpp"

#include <type_traits>

#include "analytics/clickhouse_store.hpp"
#include "core/clock.hpp"
#include "telemetry/logging.hpp"

namespace netra::analytics {
namespace {

constexpr std::string_view kClickHouse = "clickhouse";
constexpr std::string_view kEmbedded = "embedded";
constexpr const char* kMissing =
    "ClickHouse is not answering: this counts only the events received since then, kept by the "
    "embedded store until ClickHouse takes them; the events stored in ClickHouse are left out";

}  // namespace

FallbackAnalyticsStore::FallbackAnalyticsStore(std::shared_ptr<ClickHouseStore> clickhouse,
                                               std::shared_ptr<AnalyticsStore> embedded,
                                               std::chrono::milliseconds clickhouse_timeout)
    : clickhouse_(std::move(clickhouse)),
      embedded_(std::move(embedded)),
      clickhouse_timeout_(clickhouse_timeout) {}

FallbackAnalyticsStore::~FallbackAnalyticsStore() = default;

void FallbackAnalyticsStore::set_clickhouse_live(bool live) {
  live_.store(live);
}

bool FallbackAnalyticsStore::use_clickhouse() const {
  return clickhouse_ != nullptr && live_.load();
}

std::string_view FallbackAnalyticsStore::backend() const {
  if (!use_clickhouse() || clickhouse_->breaker().state() == core::BreakerState::open) {
    return kEmbedded;
  }
  return kClickHouse;
}

int64_t FallbackAnalyticsStore::outage_since_ms() {
  int64_t since = 0;
  const int64_t now = core::unix_ms_now();
  // The first call served without ClickHouse — a buffered write as much as a read — marks the
  // outage's start (this process's view); the events buffered since are the partial answer.
  return outage_since_ms_.compare_exchange_strong(since, now) ? now : since;
}

void FallbackAnalyticsStore::note_fallback(const AnalyticsError& error) {
  if (falling_back_.exchange(true)) return;
  telemetry::logger("clickhouse")
      ->warn("{}; the embedded store serves workload events until ClickHouse answers again",
             error.message);
}

void FallbackAnalyticsStore::note_clickhouse_answered() {
  outage_since_ms_.store(0);
  if (!falling_back_.load() || !falling_back_.exchange(false)) return;
  telemetry::logger("clickhouse")->info("ClickHouse answers again; it serves workload events");
}

template <typename T>
asio::awaitable<Served<T>> FallbackAnalyticsStore::serve(Call<T> call, Kind kind,
                                                         core::Deadline deadline) {
  if (use_clickhouse()) {
    // While the breaker is open the call fails at once with `unavailable`, without a request;
    // after its open duration one call goes through as the probe that closes it again.
    const auto bounded = deadline.capped(clickhouse_timeout_);
    auto attempt = call(*clickhouse_, bounded);
    auto answer = co_await std::move(attempt);
    if (answer) {
      note_clickhouse_answered();
      co_return Served<T>{std::move(answer), kClickHouse, std::nullopt};
    }
    const auto code = answer.error().code;
    const bool unreached = code == AnalyticsErrorCode::unavailable;
    const bool slow = code == AnalyticsErrorCode::timeout && kind == Kind::read;
    if (!(unreached || slow) || deadline.expired()) {
      co_return Served<T>{std::move(answer), kClickHouse, std::nullopt};
    }
    note_fallback(answer.error());
  }
  auto attempt = call(*embedded_, deadline);
  auto answer = co_await std::move(attempt);
  // Counted once the rows are committed, so a replay that sees the count also sees them.
  if constexpr (std::is_same_v<T, size_t>) {
    if (answer && kind == Kind::write && clickhouse_ != nullptr) {
      buffered_events_ += answer.value();
    }
  }
  std::optional<PartialData> partial;
  if (clickhouse_ != nullptr) {
    const int64_t since = outage_since_ms();
    if (kind == Kind::read) partial = PartialData{since, kMissing};
  }
  co_return Served<T>{std::move(answer), kEmbedded, std::move(partial)};
}

asio::awaitable<Served<size_t>> FallbackAnalyticsStore::insert_served(
    std::string user_id, std::vector<WorkloadEvent> events, core::Deadline deadline) {
  // Each backend validates the batch (prepare_batch) before it writes anything. The events are
  // copied for a ClickHouse attempt, since the embedded store may need them after it; the last
  // store to be tried takes them.
  auto kept = std::make_shared<std::vector<WorkloadEvent>>(std::move(events));
  Call<size_t> call = [user_id, kept, this](AnalyticsStore& store, core::Deadline d) {
    const bool last = &store != clickhouse_.get();
    return store.insert(user_id, last ? std::move(*kept) : *kept, d);
  };
  auto served = co_await serve(std::move(call), Kind::write, deadline);
  co_return served;
}

template <typename T, typename Arg>
asio::awaitable<Served<T>> FallbackAnalyticsStore::read(ReadMethod<T, Arg> method,
                                                        std::string user_id, TimeRange range,
                                                        Arg arg, core::Deadline deadline) {
  Call<T> call = [method, user_id, range, arg](AnalyticsStore& store, core::Deadline d) {
    return (store.*method)(user_id, range, arg, d);
  };
  auto served = co_await serve(std::move(call), Kind::read, deadline);
  co_return served;
}

asio::awaitable<Served<std::vector<GroupSummary>>> FallbackAnalyticsStore::summary_served(
    std::string user_id, TimeRange range, GroupBy group_by, core::Deadline deadline) {
  auto served =
      co_await read(&AnalyticsStore::summary, std::move(user_id), range, group_by, deadline);
  co_return served;
}

asio::awaitable<AnalyticsResult<size_t>> FallbackAnalyticsStore::insert(
    std::string user_id, std::vector<WorkloadEvent> events, core::Deadline deadline) {
  auto served = co_await insert_served(std::move(user_id), std::move(events), deadline);
  co_return std::move(served.result);
}

asio::awaitable<AnalyticsResult<std::vector<GroupSummary>>> FallbackAnalyticsStore::summary(
    std::string user_id, TimeRange range, GroupBy group_by, core::Deadline deadline) {
  auto served = co_await summary_served(std::move(user_id), range, group_by, deadline);
  co_return std::move(served.result);
}

asio::awaitable<Served<std::vector<RepeatedPrompt>>>
FallbackAnalyticsStore::repeated_prompts_served(std::string user_id, TimeRange range, int64_t limit,
                                                core::Deadline deadline) {
  auto served =
      co_await read(&AnalyticsStore::repeated_prompts, std::move(user_id), range, limit, deadline);
  co_return served;
}

asio::awaitable<Served<std::vector<TimeBucket>>> FallbackAnalyticsStore::timeline_served(
    std::string user_id, TimeRange range, int64_t bucket_ms, core::Deadline deadline) {
  auto served =
      co_await read(&AnalyticsStore::timeline, std::move(user_id), range, bucket_ms, deadline);
  co_return served;
}

asio::awaitable<Served<std::vector<WorkloadEvent>>> FallbackAnalyticsStore::events_served(
    std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) {
  auto served = co_await read(&AnalyticsStore::events, std::move(user_id), range, limit, deadline);
  co_return served;
}

asio::awaitable<AnalyticsResult<std::vector<RepeatedPrompt>>>
FallbackAnalyticsStore::repeated_prompts(std::string user_id, TimeRange range, int64_t limit,
                                         core::Deadline deadline) {
  auto served = co_await repeated_prompts_served(std::move(user_id), range, limit, deadline);
  co_return std::move(served.result);
}

asio::awaitable<AnalyticsResult<std::vector<TimeBucket>>> FallbackAnalyticsStore::timeline(
    std::string user_id, TimeRange range, int64_t bucket_ms, core::Deadline deadline) {
  auto served = co_await timeline_served(std::move(user_id), range, bucket_ms, deadline);
  co_return std::move(served.result);
}

asio::awaitable<AnalyticsResult<std::vector<WorkloadEvent>>> FallbackAnalyticsStore::events(
    std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) {
  auto served = co_await events_served(std::move(user_id), range, limit, deadline);
  co_return std::move(served.result);
}

}  // namespace netra::analytics
