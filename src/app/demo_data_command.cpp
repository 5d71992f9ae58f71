#include "app/demo_data_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <iostream>
#include <memory>

#include "analytics/clickhouse_store.hpp"
#include "analytics/demo_workload.hpp"
#include "analytics/embedded_store.hpp"
#include "app/serve.hpp"
#include "auth/auth_service.hpp"
#include "auth/user_store.hpp"
#include "core/clock.hpp"
#include "core/event_loops.hpp"
#include "core/offload_pool.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "net/http_client.hpp"

namespace netra::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono;

constexpr size_t kBatch = analytics::kMaxBatchEvents;
constexpr seconds kStepBudget{60};  // one statement or one batch

// The outcome of the whole run, for the summary line.
struct Written {
  std::string user_id;
  bool created = false;
  size_t events = 0;
  double cost_usd = 0;
};
using Outcome = core::Result<Written, std::string>;

asio::awaitable<core::Result<std::pair<std::string, bool>, std::string>> find_or_create_user(
    db::Database& database, std::string email) {
  auth::UserStore users(database);
  const auto deadline = core::Deadline::after(kStepBudget);
  auto found = co_await users.find_by_email(email, deadline);
  if (!found) co_return "reading the account: " + found.error().message;
  if (found.value()) co_return std::pair{found.value()->id, false};
  // No password matches this hash: the account signs in through dev login, or is registered
  // before this command runs (then it is reused).
  auto created = co_await users.create(email, "!demo-data-only", deadline);
  if (!created) co_return "creating the account: " + created.error().message;
  co_return std::pair{created->id, true};
}

// How far the writer got, read by the main thread (which draws it: nothing on the loop waits
// for the terminal).
using WrittenSoFar = std::shared_ptr<std::atomic<size_t>>;

asio::awaitable<Outcome> write_demo(db::Database& database, analytics::AnalyticsStore& store,
                                    analytics::ClickHouseStore* clickhouse, std::string email,
                                    analytics::DemoWorkloadOptions workload, WrittenSoFar so_far) {
  const auto migrations_deadline = core::Deadline::after(kStepBudget);
  auto migrated =
      co_await db::apply_migrations(database, db::embedded_migrations(), migrations_deadline);
  if (!migrated) co_return "applying migrations: " + migrated.error().message;
  if (clickhouse != nullptr) {
    const auto schema_deadline = core::Deadline::after(kStepBudget);
    auto schema = co_await clickhouse->ensure_schema(schema_deadline);
    if (!schema) co_return schema.error().message;
  }
  auto user = co_await find_or_create_user(database, std::move(email));
  if (!user) co_return user.error();
  Written written;
  written.user_id = user->first;
  written.created = user->second;
  analytics::DemoWorkload generator(workload);
  for (;;) {
    auto batch = generator.next_batch(kBatch);
    if (batch.empty()) break;
    for (const auto& e : batch) written.cost_usd += e.cost_usd;
    const auto deadline = core::Deadline::after(kStepBudget);
    auto inserted = co_await store.insert(written.user_id, std::move(batch), deadline);
    if (!inserted) co_return "writing events: " + inserted.error().message;
    written.events += inserted.value();
    so_far->store(written.events);
  }
  co_return written;
}

// Draws the progress: in place on a terminal, else a line whenever it moved.
class ProgressDisplay {
 public:
  explicit ProgressDisplay(size_t total) : total_(total), terminal_(isatty(STDOUT_FILENO) == 1) {}

  void show(size_t written) {
    if (drawn_ && written == shown_) return;
    drawn_ = true;
    shown_ = written;
    const double share = total_ == 0 ? 1.0 : static_cast<double>(written) / total_;
    if (!terminal_) {
      if (written > 0) {
        std::cout << fmt::format("{} of {} events written ({:.0f}%)\n", written, total_,
                                 share * 100);
      }
      return;
    }
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(share * kWidth);
    std::cout << fmt::format("\r[{}{}] {:3.0f}%  {} / {} events", std::string(filled, '#'),
                             std::string(kWidth - filled, '-'), share * 100, written, total_)
              << std::flush;
  }
  void finish() {
    if (terminal_) std::cout << "\n";
  }

 private:
  const size_t total_;
  const bool terminal_;
  size_t shown_ = 0;
  bool drawn_ = false;
};

}  // namespace

int run_demo_data(const Config& config, const DemoDataOptions& options) {
  auto email = auth::normalize_email(options.email);
  if (!email) {
    std::cerr << "netra: --email: '" << options.email << "' is not an email address\n";
    return kExitConfigError;
  }
  const auto* workload_template = analytics::find_workload_template(options.template_id);
  if (workload_template == nullptr) {
    std::cerr << "netra: --template: '" << options.template_id << "' is not a template; one of:";
    for (const auto& t : analytics::workload_templates()) std::cerr << " " << t.id;
    std::cerr << "\n";
    return kExitConfigError;
  }
  analytics::DemoWorkloadOptions workload{core::unix_ms_now(), options.days, options.events,
                                          options.seed};
  // The demo's own set is the default generator's (its events stay what they always were).
  if (options.template_id != "demo") workload.workloads = workload_template->workloads;
  try {
    analytics::DemoWorkload check(workload);  // refuses what it cannot make before anything opens
  } catch (const std::invalid_argument& e) {
    std::cerr << "netra: " << e.what() << "\n";
    return kExitConfigError;
  }

  core::EventLoops loops(1, milliseconds(50));
  core::OffloadPool offload(2);
  const auto& settings = config.settings().database;
  const auto opened_database = db::open_database(settings, offload);
  db::Database& database = *opened_database;
  const auto& analytics = config.settings().analytics;
  std::shared_ptr<net::HttpClient> client;
  std::unique_ptr<analytics::ClickHouseStore> clickhouse;
  std::unique_ptr<analytics::EmbeddedAnalyticsStore> embedded;
  analytics::AnalyticsStore* store = nullptr;
  std::string where;
  if (analytics.clickhouse.url.empty()) {
    embedded = std::make_unique<analytics::EmbeddedAnalyticsStore>(database);
    store = embedded.get();
    where = "the embedded store (" + database.describe() + ")";
  } else {
    client = std::make_shared<net::HttpClient>();
    clickhouse =
        std::make_unique<analytics::ClickHouseStore>(analytics.clickhouse, client, &offload);
    store = clickhouse.get();
    where = clickhouse->describe();
  }
  std::cout << "writing " << options.events << " demo events (template " << options.template_id
            << ") over " << options.days << " days (seed " << options.seed << ") for " << *email
            << " into " << where << "\n";
  loops.start();
  auto so_far = std::make_shared<std::atomic<size_t>>(0);
  auto future = asio::co_spawn(
      loops.context(0), write_demo(database, *store, clickhouse.get(), *email, workload, so_far),
      asio::use_future);
  // Every step inside has its own deadline; this bound only keeps a bug from hanging the command.
  const auto bound = kStepBudget * static_cast<int64_t>(options.events / kBatch + 4);
  const auto give_up = steady_clock::now() + bound;
  ProgressDisplay progress(options.events);
  while (future.wait_for(milliseconds(200)) != std::future_status::ready &&
         steady_clock::now() < give_up) {
    progress.show(so_far->load());
  }
  progress.show(so_far->load());
  progress.finish();
  int code = kExitOk;
  if (future.wait_for(milliseconds(0)) != std::future_status::ready) {
    std::cerr << "netra: demo-data did not finish within " << bound.count() << " s\n";
    code = kExitStartupFailed;
  } else if (auto outcome = future.get(); !outcome) {
    std::cerr << "netra: " << outcome.error() << "\n";
    code = kExitStartupFailed;
  } else {
    const auto& w = outcome.value();
    std::cout << fmt::format("{} account {} ({}); wrote {} events costing ${:.2f} in total\n",
                             w.created ? "created" : "reused", *email, w.user_id, w.events,
                             w.cost_usd);
    if (w.created) {
      std::cout << "the account has no password: sign in with POST /auth/dev/login "
                   "(auth.dev_login = true), or register it first and run this again\n";
    }
  }
  clickhouse.reset();
  client.reset();  // before the loops its sockets belong to
  database.close_idle();
  offload.shutdown(milliseconds(1000));
  loops.stop(seconds(1));
  return code;
}

}  // namespace netra::app
