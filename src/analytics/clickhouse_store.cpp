#include "analytics/clickhouse_store.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "analytics/clickhouse_literal.hpp"
#include "analytics/detail/clickhouse_http.hpp"
#include "core/offload_pool.hpp"
#include "net/json_write.hpp"

namespace netra::analytics {
namespace {

using json = nlohmann::json;
using Lit = ClickHouseLiteral;

// MergeTree() with PARTITION BY / ORDER BY clauses: the syntax 18.16 accepts and current releases
// still do (the older MergeTree(date, key, granularity) form is deprecated there). Date and
// arrays, not DateTime64 or Map: 18.16 has neither.
constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS ?.workload_events (date Date, user_id String, event_id String, "
    "timestamp_ms Int64, workload_id String, provider String, model String, input_tokens Int64, "
    "output_tokens Int64, latency_ms Int64, cost_usd Float64, status String, error_type String, "
    "prompt_hash String, cached UInt8, tag_keys Array(String), tag_values Array(String)) "
    "ENGINE = MergeTree() PARTITION BY toYYYYMM(date) ORDER BY (user_id, timestamp_ms)";

constexpr const char* kScope = "user_id = ? AND timestamp_ms >= ? AND timestamp_ms < ?";
// Batches at least this large are validated and encoded on the offload pool, when there is one.
constexpr size_t kOffloadEvents = 256;

// 64-bit integers come quoted in FORMAT JSON unless the server is told otherwise; accept both.
int64_t as_int(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  const auto& text = v.get_ref<const std::string&>();
  int64_t out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw std::runtime_error("not an integer: " + text);
  }
  return out;
}
double as_real(const json& v) {
  if (v.is_number()) return v.get<double>();
  return std::stod(v.get_ref<const std::string&>());
}

// The rows of a FORMAT JSON answer, or `internal` when it is not one.
AnalyticsResult<json> data_of(const std::string& body, std::string_view what) {
  auto document = json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.contains("data") || !document["data"].is_array()) {
    return AnalyticsError{AnalyticsErrorCode::internal,
                          fmt::format("ClickHouse {}: the answer is not FORMAT JSON", what),
                          {}};
  }
  return std::move(document["data"]);
}

template <typename T, typename Convert>
AnalyticsResult<std::vector<T>> rows_of(const std::string& body, std::string_view what,
                                        Convert convert) {
  auto data = data_of(body, what);
  if (!data) return data.error();
  std::vector<T> out;
  out.reserve(data->size());
  try {
    for (const auto& row : *data) out.push_back(convert(row));
  } catch (const std::exception& e) {
    return AnalyticsError{AnalyticsErrorCode::internal,
                          fmt::format("ClickHouse {}: unexpected row: {}", what, e.what()),
                          {}};
  }
  return out;
}

void append_strings(std::string& out, const std::map<std::string, std::string>& tags, bool keys) {
  out += '[';
  bool first = true;
  for (const auto& [key, value] : tags) {
    if (!first) out += ',';
    first = false;
    net::append_json_string(out, keys ? key : value);
  }
  out += ']';
}

// One JSONEachRow line, written directly: a batch of 10,000 is megabytes, and building a JSON
// object per row first would cost several times as much.
void append_row(std::string& out, const WorkloadEvent& e) {
  auto text = [&out](const char* name, std::string_view value) {
    out += name;
    net::append_json_string(out, value);
  };
  auto it = std::back_inserter(out);
  text("{\"date\":", utc_date(e.timestamp_ms));
  text(",\"user_id\":", e.user_id);
  text(",\"event_id\":", e.event_id);
  fmt::format_to(it, ",\"timestamp_ms\":{}", e.timestamp_ms);
  text(",\"workload_id\":", e.workload_id);
  text(",\"provider\":", e.provider);
  text(",\"model\":", e.model);
  // cost_usd is finite (prepare_batch); {} is its shortest exact form.
  fmt::format_to(it, ",\"input_tokens\":{},\"output_tokens\":{},\"latency_ms\":{},\"cost_usd\":{}",
                 e.input_tokens, e.output_tokens, e.latency_ms, e.cost_usd);
  text(",\"status\":", to_string(e.status));
  text(",\"error_type\":", e.error_type);
  text(",\"prompt_hash\":", e.prompt_hash);
  fmt::format_to(it, ",\"cached\":{},\"tag_keys\":", e.cached ? 1 : 0);
  append_strings(out, e.tags, true);
  out += ",\"tag_values\":";
  append_strings(out, e.tags, false);
  out += "}\n";
}

// The INSERT statement and its rows, or why the batch is refused: CPU work, done on the offload
// pool for large batches. With a `user_id` the batch is a caller's (prepare_batch stamps it); a
// batch without one was stored before and keeps the user and event ids it has.
AnalyticsResult<std::pair<size_t, std::string>> encode_insert(
    const std::string& database, const std::optional<std::string>& user_id,
    std::vector<WorkloadEvent> events) {
  auto batch =
      user_id ? prepare_batch(*user_id, std::move(events)) : check_stored_batch(std::move(events));
  if (!batch) return batch.error();
  std::string body = "INSERT INTO " + database + ".workload_events FORMAT JSONEachRow\n";
  body.reserve(body.size() + batch->size() * 320);
  for (const auto& event : batch.value()) append_row(body, event);
  return std::pair{batch->size(), std::move(body)};
}

WorkloadEvent event_of(const json& row) {
  WorkloadEvent e;
  e.user_id = row.at("user_id").get<std::string>();
  e.event_id = row.at("event_id").get<std::string>();
  e.timestamp_ms = as_int(row.at("timestamp_ms"));
  e.workload_id = row.at("workload_id").get<std::string>();
  e.provider = row.at("provider").get<std::string>();
  e.model = row.at("model").get<std::string>();
  e.input_tokens = as_int(row.at("input_tokens"));
  e.output_tokens = as_int(row.at("output_tokens"));
  e.latency_ms = as_int(row.at("latency_ms"));
  e.cost_usd = as_real(row.at("cost_usd"));
  auto status = parse_event_status(row.at("status").get<std::string>());
  if (!status) throw std::runtime_error("status is neither ok nor error");
  e.status = *status;
  e.error_type = row.at("error_type").get<std::string>();
  e.prompt_hash = row.at("prompt_hash").get<std::string>();
  e.cached = as_int(row.at("cached")) != 0;
  const auto& keys = row.at("tag_keys");
  const auto& values = row.at("tag_values");
  if (keys.size() != values.size()) throw std::runtime_error("tag keys and values differ");
  for (size_t i = 0; i < keys.size(); ++i) {
    e.tags.emplace(keys[i].get<std::string>(), values[i].get<std::string>());
  }
  return e;
}

}  // namespace

std::string utc_date(int64_t unix_ms) {
  using namespace std::chrono;
  const year_month_day day{floor<days>(sys_time<milliseconds>(milliseconds(unix_ms)))};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(day.year()),
                     static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
}

int64_t utc_year_month(int64_t unix_ms) {
  using namespace std::chrono;
  const year_month_day day{floor<days>(sys_time<milliseconds>(milliseconds(unix_ms)))};
  return static_cast<int>(day.year()) * 100 + static_cast<unsigned>(day.month());
}

ClickHouseStore::ClickHouseStore(ClickHouseOptions options, std::shared_ptr<net::HttpClient> client,
                                 core::OffloadPool* offload)
    : options_(std::move(options)), offload_(offload) {
  if (!Lit::identifier(options_.database)) {
    throw std::invalid_argument("analytics.database: '" + options_.database +
                                "' is not a ClickHouse name (A-Z, a-z, 0-9, _)");
  }
  if (options_.ttl_days < 1) throw std::invalid_argument("analytics.ttl_days: must be at least 1");
  http_ = std::make_unique<detail::ClickHouseHttp>(std::move(client), options_.url, options_.user,
                                                   options_.password, options_.breaker,
                                                   options_.on_statement);
}

ClickHouseStore::~ClickHouseStore() = default;

const core::CircuitBreaker& ClickHouseStore::breaker() const {
  return http_->breaker();
}

std::string ClickHouseStore::describe() const {
  return fmt::format("clickhouse at {}, database {}", http_->origin(), options_.database);
}

ClickHouseLiteral ClickHouseStore::database() const {
  return Lit::identifier(options_.database).value();  // checked in the constructor
}

asio::awaitable<AnalyticsResult<size_t>> ClickHouseStore::ensure_schema(core::Deadline deadline,
                                                                        bool through_breaker) {
  auto create_database = render("CREATE DATABASE IF NOT EXISTS ?", {database()});
  auto created = co_await http_->execute(std::move(create_database), "create database", deadline,
                                         through_breaker);
  if (!created) co_return created.error();
  auto create_table = render(kCreateTable, {database()});
  auto made =
      co_await http_->execute(std::move(create_table), "create table", deadline, through_breaker);
  if (!made) co_return made.error();
  co_return size_t{0};
}

asio::awaitable<AnalyticsResult<size_t>> ClickHouseStore::ping(core::Deadline deadline) {
  auto answered = co_await http_->execute(std::string("SELECT 1"), "ping", deadline);
  if (!answered) co_return answered.error();
  co_return size_t{0};
}

asio::awaitable<AnalyticsResult<std::vector<std::string>>> ClickHouseStore::drop_expired_partitions(
    int64_t now_ms, core::Deadline deadline) {
  const int64_t cutoff = utc_year_month(now_ms - int64_t{options_.ttl_days} * 86'400'000);
  auto list = render(
      "SELECT DISTINCT partition AS p FROM system.parts WHERE database = ? AND table = ? AND "
      "active FORMAT JSON",
      {Lit::string(options_.database), Lit::string(kClickHouseTable)});
  auto listed = co_await http_->execute(std::move(list), "list partitions", deadline);
  if (!listed) co_return listed.error();
  auto partitions = rows_of<int64_t>(listed.value(), "list partitions",
                                     [](const json& row) { return as_int(row.at("p")); });
  if (!partitions) co_return partitions.error();
  std::vector<std::string> dropped;
  for (const int64_t month : partitions.value()) {
    if (month >= cutoff) continue;
    auto drop =
        render("ALTER TABLE ?.workload_events DROP PARTITION ?", {database(), Lit::integer(month)});
    auto done = co_await http_->execute(std::move(drop), "drop partition", deadline);
    if (!done) co_return done.error();
    dropped.push_back(std::to_string(month));
  }
  co_return dropped;
}

asio::awaitable<AnalyticsResult<size_t>> ClickHouseStore::insert(std::string user_id,
                                                                 std::vector<WorkloadEvent> events,
                                                                 core::Deadline deadline) {
  auto inserted = co_await insert_batch(std::move(user_id), std::move(events), deadline);
  co_return inserted;
}

asio::awaitable<AnalyticsResult<size_t>> ClickHouseStore::insert_stored(
    std::vector<WorkloadEvent> events, core::Deadline deadline) {
  auto inserted = co_await insert_batch(std::nullopt, std::move(events), deadline);
  co_return inserted;
}

asio::awaitable<AnalyticsResult<size_t>> ClickHouseStore::insert_batch(
    std::optional<std::string> user_id, std::vector<WorkloadEvent> events,
    core::Deadline deadline) {
  // The database name is a checked identifier (constructor); it is spliced like one.
  const std::string database = ClickHouseStore::database().sql();
  AnalyticsResult<std::pair<size_t, std::string>> encoded;
  if (offload_ != nullptr && events.size() >= kOffloadEvents) {
    auto encode = [database, user_id, events = std::move(events)]() mutable {
      return encode_insert(database, user_id, std::move(events));
    };
    encoded = co_await offload_->run(std::move(encode));
  } else {
    encoded = encode_insert(database, user_id, std::move(events));
  }
  if (!encoded) co_return encoded.error();
  // The rows follow the statement in the body; ClickHouse inserts a batch this size as one
  // block, so it is stored whole or not at all.
  auto inserted = co_await http_->execute(std::move(encoded->second), "insert", deadline);
  if (!inserted) co_return inserted.error();
  co_return encoded->first;
}

asio::awaitable<AnalyticsResult<std::vector<GroupSummary>>> ClickHouseStore::summary(
    std::string user_id, TimeRange range, GroupBy group_by, core::Deadline deadline) {
  if (auto bad = check_read(user_id, range)) co_return *bad;
  // quantilesExact: floor(level·n) of the sorted latencies, the definition in GroupSummary.
  const std::string sql = fmt::format(
      "SELECT {} AS k, count() AS n, sum(input_tokens) AS tin, sum(output_tokens) AS tout, "
      "sum(cost_usd) AS cost, quantilesExact(0.5, 0.95, 0.99)(latency_ms) AS p, "
      "countIf(status = 'error') AS errors, sum(cached) AS hits FROM ?.workload_events "
      "WHERE {} GROUP BY k FORMAT JSON",
      key_column(group_by), kScope);
  auto query = render(sql, {database(), Lit::string(user_id), Lit::integer(range.from_ms),
                            Lit::integer(range.to_ms)});
  auto answer = co_await http_->execute(std::move(query), "summary", deadline);
  if (!answer) co_return answer.error();
  auto groups = rows_of<GroupSummary>(answer.value(), "summary", [](const json& row) {
    GroupSummary g;
    g.key = row.at("k").get<std::string>();
    g.requests = as_int(row.at("n"));
    g.input_tokens = as_int(row.at("tin"));
    g.output_tokens = as_int(row.at("tout"));
    g.cost_usd = as_real(row.at("cost"));
    const auto& p = row.at("p");
    g.latency_p50_ms = as_int(p.at(0));
    g.latency_p95_ms = as_int(p.at(1));
    g.latency_p99_ms = as_int(p.at(2));
    g.errors = as_int(row.at("errors"));
    g.cached = as_int(row.at("hits"));
    return g;
  });
  if (!groups) co_return groups.error();
  finish_summary(groups.value());
  co_return std::move(groups.value());
}

asio::awaitable<AnalyticsResult<std::vector<RepeatedPrompt>>> ClickHouseStore::repeated_prompts(
    std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) {
  if (auto bad = check_read(user_id, range)) co_return *bad;
  if (auto bad = check_limit(limit)) co_return *bad;
  const std::string sql = fmt::format(
      "SELECT workload_id AS w, prompt_hash AS h, count() AS n, sum(cached) AS hits, "
      "sum(cost_usd) AS cost FROM ?.workload_events WHERE {} AND prompt_hash != '' "
      "GROUP BY w, h HAVING n > 1 ORDER BY n DESC, cost DESC LIMIT ? FORMAT JSON",
      kScope);
  auto query = render(sql, {database(), Lit::string(user_id), Lit::integer(range.from_ms),
                            Lit::integer(range.to_ms), Lit::integer(limit)});
  auto answer = co_await http_->execute(std::move(query), "repeated prompts", deadline);
  if (!answer) co_return answer.error();
  co_return rows_of<RepeatedPrompt>(answer.value(), "repeated prompts", [](const json& row) {
    return RepeatedPrompt{row.at("w").get<std::string>(), row.at("h").get<std::string>(),
                          as_int(row.at("n")), as_int(row.at("hits")), as_real(row.at("cost"))};
  });
}

asio::awaitable<AnalyticsResult<std::vector<TimeBucket>>> ClickHouseStore::timeline(
    std::string user_id, TimeRange range, int64_t bucket_ms, core::Deadline deadline) {
  if (auto bad = check_read(user_id, range)) co_return *bad;
  if (auto bad = check_bucket(range, bucket_ms)) co_return *bad;
  const std::string sql = fmt::format(
      "SELECT intDiv(timestamp_ms - ?, ?) AS b, count() AS n, countIf(status = 'error') AS "
      "errors, sum(cost_usd) AS cost FROM ?.workload_events WHERE {} GROUP BY b ORDER BY b "
      "FORMAT JSON",
      kScope);
  auto query =
      render(sql, {Lit::integer(range.from_ms), Lit::integer(bucket_ms), database(),
                   Lit::string(user_id), Lit::integer(range.from_ms), Lit::integer(range.to_ms)});
  auto answer = co_await http_->execute(std::move(query), "timeline", deadline);
  if (!answer) co_return answer.error();
  co_return rows_of<TimeBucket>(answer.value(), "timeline", [&](const json& row) {
    return TimeBucket{range.from_ms + as_int(row.at("b")) * bucket_ms, as_int(row.at("n")),
                      as_int(row.at("errors")), as_real(row.at("cost"))};
  });
}

asio::awaitable<AnalyticsResult<std::vector<WorkloadEvent>>> ClickHouseStore::events(
    std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) {
  if (auto bad = check_read(user_id, range)) co_return *bad;
  if (auto bad = check_limit(limit)) co_return *bad;
  const std::string sql = fmt::format(
      "SELECT user_id, event_id, timestamp_ms, workload_id, provider, model, input_tokens, "
      "output_tokens, latency_ms, cost_usd, status, error_type, prompt_hash, cached, tag_keys, "
      "tag_values FROM ?.workload_events WHERE {} ORDER BY timestamp_ms, event_id LIMIT ? "
      "FORMAT JSON",
      kScope);
  auto query = render(sql, {database(), Lit::string(user_id), Lit::integer(range.from_ms),
                            Lit::integer(range.to_ms), Lit::integer(limit)});
  auto answer = co_await http_->execute(std::move(query), "events", deadline);
  if (!answer) co_return answer.error();
  co_return rows_of<WorkloadEvent>(answer.value(), "events", event_of);
}

}  // namespace netra::analytics
