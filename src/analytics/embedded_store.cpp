#include "analytics/embedded_store.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/id.hpp"

namespace netra::analytics {
namespace {

constexpr size_t kColumns = 16;  // kEventColumns and entry_id
// Rows per INSERT statement: 2,048 parameters, well inside SQLite's 32,766 and PostgreSQL's
// 65,535. Each statement is one trip to the offload pool; 128 rows took about 10% more rows per
// second than 32 in bench/analytics_ingest (SQLite binds $N through a slot map, so a statement's
// cost grows with its parameters, not their square).
constexpr size_t kRowsPerStatement = 128;

constexpr const char* kEventColumns =
    "user_id, event_id, timestamp_ms, workload_id, provider, model, input_tokens, output_tokens, "
    "latency_ms, cost_usd, status, error_type, prompt_hash, cached, tags";
// Rows removed per DELETE statement.
constexpr size_t kIdsPerStatement = 256;

// Of the user and the range: $1, $2, $3.
constexpr const char* kScope = "user_id = $1 AND timestamp_ms >= $2 AND timestamp_ms < $3";

std::string insert_statement(size_t rows) {
  std::string sql =
      fmt::format("INSERT INTO workload_events ({}, entry_id) VALUES ", kEventColumns);
  for (size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (size_t c = 0; c < kColumns; ++c) {
      if (c > 0) sql += ", ";
      sql += fmt::format("${}", r * kColumns + c + 1);
    }
    sql += ")";
  }
  return sql;
}

void append_params(db::Params& out, const WorkloadEvent& e, int64_t stored_at_ms) {
  nlohmann::json tags(e.tags);
  out.emplace_back(e.user_id);
  out.emplace_back(e.event_id);
  out.emplace_back(e.timestamp_ms);
  out.emplace_back(e.workload_id);
  out.emplace_back(e.provider);
  out.emplace_back(e.model);
  out.emplace_back(e.input_tokens);
  out.emplace_back(e.output_tokens);
  out.emplace_back(e.latency_ms);
  out.emplace_back(e.cost_usd);
  out.emplace_back(std::string(to_string(e.status)));
  out.emplace_back(e.error_type);
  out.emplace_back(e.prompt_hash);
  out.emplace_back(int64_t{e.cached ? 1 : 0});
  out.emplace_back(tags.dump());
  // The row's own id: event_id may repeat, and the replay deletes exactly the rows it moved.
  // Sortable by when it was stored, so new rows go to the end of the primary key's index rather
  // than to random pages of it (bench/analytics_ingest, 300,000 events: 22k -> 30k rows a second).
  out.emplace_back(core::make_sortable_id("wev", stored_at_ms));
}

// Every row numbered by latency within its group (r from 0) beside the group's size n; the
// percentile's row is the one where r = floor(n·p/100) (percentile_rank), in integer arithmetic.
std::string summary_statement(GroupBy group_by) {
  const char* key = key_column(group_by);
  return fmt::format(
      "WITH scoped AS (SELECT {0} AS k, input_tokens, output_tokens, cost_usd, latency_ms, "
      "status, cached, ROW_NUMBER() OVER (PARTITION BY {0} ORDER BY latency_ms) - 1 AS r, "
      "COUNT(*) OVER (PARTITION BY {0}) AS n FROM workload_events WHERE {1}) "
      "SELECT k, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost_usd), "
      "MAX(CASE WHEN r = n * 50 / 100 THEN latency_ms END), "
      "MAX(CASE WHEN r = n * 95 / 100 THEN latency_ms END), "
      "MAX(CASE WHEN r = n * 99 / 100 THEN latency_ms END), "
      "SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END), SUM(cached) "
      "FROM scoped GROUP BY k",
      key, kScope);
}

db::Params scope_params(std::string user_id, TimeRange range) {
  return db::Params{std::move(user_id), range.from_ms, range.to_ms};
}

// Every row through `convert`; a row that does not convert (a NULL, a bad number or tag JSON)
// is `internal`, since only this store writes the table.
template <typename T, typename Convert>
AnalyticsResult<std::vector<T>> rows_of(const db::QueryResult& result, Convert convert) {
  std::vector<T> out;
  out.reserve(result.rows.size());
  try {
    for (const auto& row : result.rows) out.push_back(convert(row));
  } catch (const std::exception& e) {
    return AnalyticsError{AnalyticsErrorCode::internal,
                          std::string("embedded analytics store: unexpected row: ") + e.what(),
                          {}};
  }
  return out;
}

// A row of summary_statement().
GroupSummary group_of(const db::Row& row) {
  GroupSummary g;
  g.key = row.text(0);
  g.requests = row.int64(1);
  g.input_tokens = row.int64(2);
  g.output_tokens = row.int64(3);
  g.cost_usd = row.real(4);
  g.latency_p50_ms = row.int64(5);
  g.latency_p95_ms = row.int64(6);
  g.latency_p99_ms = row.int64(7);
  g.errors = row.int64(8);
  g.cached = row.int64(9);
  return g;
}

// A read: runs one SELECT and converts each row.
template <typename T, typename Convert>
asio::awaitable<AnalyticsResult<std::vector<T>>> select_rows(db::Database& db, std::string sql,
                                                             db::Params values,
                                                             core::Deadline deadline,
                                                             std::string owner, Convert convert) {
  auto found = co_await db.query(std::move(sql), std::move(values), deadline, std::move(owner));
  if (!found) co_return AnalyticsError::from_db(found.error());
  co_return rows_of<T>(*found, convert);
}

WorkloadEvent event_of(const db::Row& row) {
  WorkloadEvent e;
  e.user_id = row.text(0);
  e.event_id = row.text(1);
  e.timestamp_ms = row.int64(2);
  e.workload_id = row.text(3);
  e.provider = row.text(4);
  e.model = row.text(5);
  e.input_tokens = row.int64(6);
  e.output_tokens = row.int64(7);
  e.latency_ms = row.int64(8);
  e.cost_usd = row.real(9);
  auto status = parse_event_status(row.text(10));
  if (!status) throw db::ColumnError("status '" + row.text(10) + "' is neither ok nor error");
  e.status = *status;
  e.error_type = row.text(11);
  e.prompt_hash = row.text(12);
  e.cached = row.int64(13) != 0;
  e.tags = nlohmann::json::parse(row.text(14)).get<std::map<std::string, std::string>>();
  return e;
}

}  // namespace

asio::awaitable<AnalyticsResult<size_t>> EmbeddedAnalyticsStore::insert(
    std::string user_id, std::vector<WorkloadEvent> events, core::Deadline deadline) {
  auto batch = prepare_batch(user_id, std::move(events));
  if (!batch) co_return batch.error();
  // A batch of up to 10,000 events holds the one writer (SQLite) for a while: another batch
  // waits its turn within the caller's deadline rather than failing busy after the query timeout.
  auto began = co_await db_.begin(deadline, "analytics.insert", db::CallLimit::queued);
  if (!began) co_return AnalyticsError::from_db(began.error());
  auto& tx = began.value();
  const auto& rows = batch.value();
  const std::string full_statement = insert_statement(kRowsPerStatement);
  const int64_t stored_at_ms = core::unix_ms_now();
  for (size_t first = 0; first < rows.size(); first += kRowsPerStatement) {
    const size_t count = std::min(kRowsPerStatement, rows.size() - first);
    db::Params values;
    values.reserve(count * kColumns);
    for (size_t i = first; i < first + count; ++i) append_params(values, rows[i], stored_at_ms);
    std::string sql = count == kRowsPerStatement ? full_statement : insert_statement(count);
    auto inserted = co_await tx.query(std::move(sql), std::move(values));
    if (!inserted) co_return AnalyticsError::from_db(inserted.error());
  }
  auto committed = co_await tx.commit();
  if (!committed) co_return AnalyticsError::from_db(committed.error());
  co_return rows.size();
}

asio::awaitable<AnalyticsResult<std::vector<GroupSummary>>> EmbeddedAnalyticsStore::summary(
    std::string user_id, TimeRange range, GroupBy group_by, core::Deadline deadline) {
  if (auto bad = check_read(user_id, range)) co_return *bad;
  auto values = scope_params(std::move(user_id), range);
  auto sql = summary_statement(group_by);
  auto groups = co_await select_rows<GroupSummary>(db_, std::move(sql), std::move(values), deadline,
                                                   "analytics.summary", group_of);
  if (!groups) co_return groups.error();
  finish_summary(groups.value());
  co_return std::move(groups.value());
}

asio::awaitable<AnalyticsResult<std::vector<RepeatedPrompt>>>
EmbeddedAnalyticsStore::repeated_prompts(std::string user_id, TimeRange range, int64_t limit,
                                         core::Deadline deadline) {
  if (auto bad = check_read(user_id, range)) co_return *bad;
  if (auto bad = check_limit(limit)) co_return *bad;
  auto values = scope_params(std::move(user_id), range);
  values.emplace_back(limit);
  const std::string sql = fmt::format(
      "SELECT workload_id, prompt_hash, COUNT(*), SUM(cached), SUM(cost_usd) "
      "FROM workload_events WHERE {} AND prompt_hash <> '' GROUP BY workload_id, prompt_hash "
      "HAVING COUNT(*) > 1 ORDER BY COUNT(*) DESC, SUM(cost_usd) DESC LIMIT $4",
      kScope);
  co_return co_await select_rows<RepeatedPrompt>(
      db_, sql, std::move(values), deadline, "analytics.repeated_prompts", [](const db::Row& row) {
        return RepeatedPrompt{row.text(0), row.text(1), row.int64(2), row.int64(3), row.real(4)};
      });
}

asio::awaitable<AnalyticsResult<std::vector<TimeBucket>>> EmbeddedAnalyticsStore::timeline(
    std::string user_id, TimeRange range, int64_t bucket_ms, core::Deadline deadline) {
  if (auto bad = check_read(user_id, range)) co_return *bad;
  if (auto bad = check_bucket(range, bucket_ms)) co_return *bad;
  auto values = scope_params(std::move(user_id), range);
  values.emplace_back(bucket_ms);
  const std::string sql = fmt::format(
      "SELECT (timestamp_ms - $2) / $4 AS b, COUNT(*), "
      "SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END), SUM(cost_usd) "
      "FROM workload_events WHERE {} GROUP BY b ORDER BY b",
      kScope);
  co_return co_await select_rows<TimeBucket>(
      db_, sql, std::move(values), deadline, "analytics.timeline", [&](const db::Row& row) {
        return TimeBucket{range.from_ms + row.int64(0) * bucket_ms, row.int64(1), row.int64(2),
                          row.real(3)};
      });
}

asio::awaitable<AnalyticsResult<std::vector<WorkloadEvent>>> EmbeddedAnalyticsStore::events(
    std::string user_id, TimeRange range, int64_t limit, core::Deadline deadline) {
  if (auto bad = check_read(user_id, range)) co_return *bad;
  if (auto bad = check_limit(limit)) co_return *bad;
  auto values = scope_params(std::move(user_id), range);
  values.emplace_back(limit);
  const std::string sql = fmt::format(
      "SELECT {} FROM workload_events WHERE {} ORDER BY timestamp_ms, event_id LIMIT $4",
      kEventColumns, kScope);
  co_return co_await select_rows<WorkloadEvent>(db_, sql, std::move(values), deadline,
                                                "analytics.events", event_of);
}

}  // namespace netra::analytics

namespace netra::analytics {

asio::awaitable<AnalyticsResult<StoredEvents>> EmbeddedAnalyticsStore::oldest(
    size_t limit, core::Deadline deadline) {
  if (limit < 1 || limit > kMaxBatchEvents) {
    co_return AnalyticsError::invalid(
        fmt::format("a batch holds 1 to {} events, not {}", kMaxBatchEvents, limit));
  }
  db::Params values{static_cast<int64_t>(limit)};
  const std::string sql = fmt::format(
      "SELECT {}, entry_id FROM workload_events ORDER BY timestamp_ms, entry_id LIMIT $1",
      kEventColumns);
  auto found = co_await db_.query(sql, std::move(values), deadline, "analytics.oldest");
  if (!found) co_return AnalyticsError::from_db(found.error());
  auto events = rows_of<WorkloadEvent>(*found, event_of);
  if (!events) co_return events.error();
  StoredEvents out;
  out.events = std::move(events.value());
  out.entry_ids.reserve(found->rows.size());
  for (const auto& row : found->rows) out.entry_ids.push_back(row.text(15));
  co_return out;
}

asio::awaitable<AnalyticsResult<size_t>> EmbeddedAnalyticsStore::remove(
    std::vector<std::string> entry_ids, core::Deadline deadline) {
  if (entry_ids.empty()) co_return size_t{0};
  auto began = co_await db_.begin(deadline, "analytics.remove");
  if (!began) co_return AnalyticsError::from_db(began.error());
  auto& tx = began.value();
  size_t removed = 0;
  for (size_t first = 0; first < entry_ids.size(); first += kIdsPerStatement) {
    const size_t count = std::min(kIdsPerStatement, entry_ids.size() - first);
    std::string sql = "DELETE FROM workload_events WHERE entry_id IN (";
    db::Params values;
    values.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (i > 0) sql += ", ";
      sql += fmt::format("${}", i + 1);
      values.emplace_back(std::move(entry_ids[first + i]));
    }
    sql += ")";
    auto deleted = co_await tx.query(std::move(sql), std::move(values));
    if (!deleted) co_return AnalyticsError::from_db(deleted.error());
    removed += static_cast<size_t>(deleted->affected_rows);
  }
  auto committed = co_await tx.commit();
  if (!committed) co_return AnalyticsError::from_db(committed.error());
  co_return removed;
}

asio::awaitable<AnalyticsResult<size_t>> EmbeddedAnalyticsStore::count_all(
    core::Deadline deadline) {
  auto found = co_await db_.query("SELECT count(*) FROM workload_events", {}, deadline,
                                  "analytics.count_all");
  if (!found) co_return AnalyticsError::from_db(found.error());
  if (found->rows.size() != 1) {
    co_return AnalyticsError{AnalyticsErrorCode::internal, "count(*) returned no row", {}};
  }
  co_return static_cast<size_t>(found->rows[0].int64(0));
}

}  // namespace netra::analytics
