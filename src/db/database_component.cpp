#include "db/database_component.hpp"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>

#include "core/loop_activity.hpp"
#include "core/task_failures.hpp"
#include "db/detail/driver.hpp"
#include "db/migrations.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/metrics.hpp"

namespace netra::db {

core::ComponentSpec DatabaseComponent::make_spec() {
  return {kName, core::Criticality::critical, {}};
}

// Runs while the component is started; stopped by setting `stopping` (checked every tick).
struct DatabaseComponent::Maintenance {
  Database* database = nullptr;
  std::atomic<bool> stopping{false};
};

namespace {
asio::awaitable<void> maintain(std::shared_ptr<DatabaseComponent::Maintenance> m) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  bool was_open = false;
  while (!m->stopping) {
    timer.expires_after(std::chrono::milliseconds(500));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (m->stopping) break;
    m->database->check_leaks();
    // A heartbeat through the breaker: an outage is noticed without traffic, and while the breaker
    // is open the probe is refused until its open duration has passed; then its success closes it.
    (void)co_await m->database->query(std::string("SELECT 1"), Params{},
                                      core::Deadline::after(std::chrono::seconds(1)),
                                      std::string("database heartbeat"));
    const bool open = m->database->breaker().state() != core::BreakerState::closed;
    if (open && !was_open) {
      telemetry::logger("database")
          ->error("circuit breaker open: the database is failing; failing fast");
    } else if (!open && was_open) {
      telemetry::logger("database")->info("circuit breaker closed: the database answers again");
    }
    was_open = open;
  }
}

// A statement over database.slow_statement_ms: its text with the whitespace collapsed (it holds
// parameter markers, never values), its time, and what ran it — the label of the route or job on
// this loop (core::LoopActivity), or "background".
void log_slow_statement(const std::string& sql, double seconds) {
  std::string text;
  for (char c : sql) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (space && (text.empty() || text.back() == ' ')) continue;
    text.push_back(space ? ' ' : c);
  }
  constexpr size_t kLongest = 300;
  if (text.size() > kLongest) text = text.substr(0, kLongest) + "…";
  const auto* loop = core::LoopActivity::current();
  const char* label = loop != nullptr ? loop->label() : nullptr;
  telemetry::logger(DatabaseComponent::kName)
      ->warn("slow statement: {:.0f} ms by {}: {}", seconds * 1000,
             label != nullptr ? label : "background", text);
}
}  // namespace

DatabaseComponent::DatabaseComponent(core::ComponentSpec spec, const DatabaseSettings& settings,
                                     core::OffloadPool& offload, core::HealthRegistry& health,
                                     telemetry::Metrics* metrics)
    : core::Component(std::move(spec)), pool_min_(settings.pool_min) {
  DatabaseObserver observer;
  observer.finished = [metrics, slow = settings.slow_statement](const std::string& sql,
                                                                double seconds, bool ok) {
    if (metrics != nullptr)
      metrics->dependency_call("database", statement_operation(sql), seconds, ok);
    if (slow.count() > 0 && seconds * 1000 >= static_cast<double>(slow.count())) {
      log_slow_statement(sql, seconds);
    }
  };
  if (metrics != nullptr) {
    observer.acquired = [metrics](double wait, bool busy) {
      metrics->database_acquired(wait, busy);
    };
    observer.failed = [metrics](DbErrorCode code) {
      metrics->database_failed(std::string(to_string(code)));
    };
  }
  database_ = std::make_unique<Database>(
      make_driver(settings, offload), pool_options(settings),
      [](const std::string& owner, std::chrono::milliseconds held) {
        telemetry::logger(kName)->warn("a connection has been held for {} ms by {}", held.count(),
                                       owner);
      },
      core::BreakerOptions{}, std::move(observer), settings.query_timeout);
  health.add_breaker(database_->breaker(), true);
  health.add_pool(kName, database_->pool_max(),
                  [db = database_.get()] { return db->pool_stats(); });
  if (database_->max_writers() > 0) {
    // Writers queue here (SQLite): its `waiting` is how many wait for the one write connection.
    health.add_pool(std::string(kName) + "_writer", database_->max_writers(),
                    [db = database_.get()] { return db->writer_pool_stats().value(); });
  }
}

DatabaseComponent::~DatabaseComponent() {
  if (maintenance_) maintenance_->stopping = true;
}

asio::awaitable<core::Status> DatabaseComponent::start(core::LifecycleContext& ctx) {
  auto log = telemetry::logger(kName);
  log->info("connecting to {}", database_->describe());
  auto outcome = co_await apply_migrations(*database_, embedded_migrations(),
                                           core::Deadline::after(ctx.timeout));
  if (!outcome) co_return core::Status::error(outcome.error().message);
  if (outcome->applied.empty()) {
    log->info("schema up to date ({} migrations)", embedded_migrations().size());
  } else {
    for (const auto& name : outcome->applied) log->info("applied migration {}", name);
  }
  if (pool_min_ > 0) {
    auto warmed = co_await database_->warm_up(pool_min_, core::Deadline::after(ctx.timeout));
    if (!warmed)
      co_return core::Status::error("opening database.pool_min connections: " +
                                    warmed.error().message);
  }
  if (maintenance_) maintenance_->stopping = true;  // a previous attempt's loop
  maintenance_ = std::make_shared<Maintenance>();
  maintenance_->database = database_.get();
  asio::co_spawn(co_await asio::this_coro::executor, maintain(maintenance_),
                 core::detached_reporting("the database maintenance"));
  co_return core::Status::ok();
}

asio::awaitable<core::Status> DatabaseComponent::stop(core::LifecycleContext&) {
  if (maintenance_) maintenance_->stopping = true;
  database_->close_idle();
  co_return core::Status::ok();
}

}  // namespace netra::db
