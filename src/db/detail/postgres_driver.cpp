#include "db/detail/postgres_driver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "core/offload_pool.hpp"
#include "db/database_settings.hpp"
#include "db/detail/libpq.hpp"

namespace netra::db::detail {
namespace {

using namespace std::chrono;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

enum class Wait { read, write };

std::string trimmed_error(PGconn* conn) {
  std::string message = pq().PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

DbErrorCode code_for(const char* sqlstate) {
  if (sqlstate == nullptr) return DbErrorCode::internal;
  const std::string_view s(sqlstate);
  if (s.substr(0, 2) == "23") return DbErrorCode::constraint;
  if (s == "57014") return DbErrorCode::timeout;       // query_canceled: statement_timeout
  if (s == "53100") return DbErrorCode::storage_full;  // disk_full
  if (s.substr(0, 2) == "42" || s.substr(0, 2) == "22") return DbErrorCode::invalid;
  if (s.substr(0, 2) == "08" || s.substr(0, 2) == "53" || s.substr(0, 2) == "57") {
    return DbErrorCode::unavailable;
  }
  return DbErrorCode::internal;
}

std::string param_text(const SqlParam& p) {
  if (auto* v = std::get_if<int64_t>(&p)) return std::to_string(*v);
  if (auto* d = std::get_if<double>(&p)) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", *d);
    return text;
  }
  if (auto* b = std::get_if<bool>(&p)) return *b ? "true" : "false";
  return std::get<std::string>(p);
}

// Waits on a connection's socket for the statements it runs: one descriptor registration kept
// while the connection stays on one event loop, and one deadline timer per statement (not per
// wait) that cancels the wait through a cancellation slot.
class SocketWaiter {
 public:
  ~SocketWaiter() { reset(); }

  // Prepares for one statement (or one connect step) on the caller's loop, under `deadline`.
  // False when libpq has no socket.
  bool begin(const asio::any_io_executor& executor, PGconn* conn, core::Deadline deadline) {
    const int fd = pq().PQsocket(conn);
    if (fd < 0) return false;
    if (!socket_ || fd != fd_ || socket_->get_executor() != executor) {
      reset();
      socket_.emplace(executor, fd);
      fd_ = fd;
    }
    timed_out_ = std::make_shared<bool>(false);
    timer_.emplace(executor, deadline.when());
    timer_->async_wait([flag = timed_out_, signal = signal_](boost::system::error_code ec) {
      if (ec) return;
      *flag = true;
      signal->emit(asio::cancellation_type::terminal);
    });
    return true;
  }
  void end() {
    if (timer_) timer_->cancel();
    timer_.reset();
  }
  // False on the deadline or an error.
  asio::awaitable<bool> wait(Wait what) {
    if (*timed_out_) co_return false;
    auto type = what == Wait::read ? asio::posix::stream_descriptor::wait_read
                                   : asio::posix::stream_descriptor::wait_write;
    auto [ec] = co_await socket_->async_wait(
        type, asio::bind_cancellation_slot(signal_->slot(), use_tuple));
    // A finished wait leaves its cancellation handler in the slot, and that handler points into
    // the socket's state. The deadline's handler may already be queued (a loop that ran late sees
    // the answer and the deadline together, and serves the answer first), and the socket may be
    // gone by the time it runs: emptied here, the slot gives it nothing to cancel.
    signal_->slot().clear();
    co_return !ec && !*timed_out_;
  }

 private:
  void reset() {
    if (socket_) socket_->release();  // the socket belongs to libpq
    socket_.reset();
  }
  std::optional<asio::posix::stream_descriptor> socket_;
  int fd_ = -1;
  std::optional<asio::steady_timer> timer_;
  std::shared_ptr<bool> timed_out_ = std::make_shared<bool>(false);
  std::shared_ptr<asio::cancellation_signal> signal_ =
      std::make_shared<asio::cancellation_signal>();
};

class PostgresConnection final : public DriverConnection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override {
    waiter_.reset();  // deregister the socket before libpq closes it
    pq().PQfinish(conn_);
  }

  asio::awaitable<DbResult<QueryResult>> execute(const std::string& sql, const Params& params,
                                                 core::Deadline deadline) override {
    if (broken()) co_return DbError{DbErrorCode::unavailable, "the connection is closed"};
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (std::holds_alternative<std::nullptr_t>(params[i])) continue;
      texts[i] = param_text(params[i]);
      values[i] = texts[i].c_str();
    }
    const int count = static_cast<int>(params.size());
    std::string statement;  // the prepared statement's name, or empty for a one-off
    if (count > 0 && preparable(sql)) {
      if (auto it = prepared_.find(sql); it != prepared_.end()) {
        statement = it->second;
      } else if (prepared_.size() < kMaxPrepared) {
        std::string name = "netra_" + std::to_string(prepared_.size() + 1);
        if (pq().PQsendPrepare(conn_, name.c_str(), sql.c_str(), count, nullptr) == 0) {
          broken_ = true;
          co_return DbError{DbErrorCode::unavailable, trimmed_error(conn_)};
        }
        auto ready = co_await results(deadline);
        if (!ready) co_return ready.error();  // the statement's own error (syntax, no table...)
        prepared_.emplace(sql, name);
        statement = std::move(name);
      }
    }
    const int sent = statement.empty()
                         ? pq().PQsendQueryParams(conn_, sql.c_str(), count, nullptr, values.data(),
                                                  nullptr, nullptr, 0)
                         : pq().PQsendQueryPrepared(conn_, statement.c_str(), count, values.data(),
                                                    nullptr, nullptr, 0);
    if (sent == 0) {
      broken_ = true;
      co_return DbError{DbErrorCode::unavailable, trimmed_error(conn_)};
    }
    co_return co_await results(deadline);
  }

  bool broken() const override { return broken_ || pq().PQstatus(conn_) != CONNECTION_OK; }

 private:
  // Statements the API repeats are prepared once per connection: PostgreSQL then skips parsing
  // and planning, most of the cost of a short query. Only single statements with parameters
  // are (migrations and other scripts have none), and the cache is bounded.
  static constexpr size_t kMaxPrepared = 256;
  static bool preparable(const std::string& sql) {
    if (sql.size() > 16 * 1024) return false;
    for (const char* verb : {"SELECT ", "INSERT ", "UPDATE ", "DELETE "}) {
      if (sql.compare(0, std::strlen(verb), verb) == 0) return true;
    }
    return false;
  }

  // Sends what libpq holds, then reads every result of the command just sent.
  asio::awaitable<DbResult<QueryResult>> results(core::Deadline deadline) {
    if (!waiter_) waiter_.emplace();
    if (!waiter_->begin(co_await asio::this_coro::executor, conn_, deadline)) {
      broken_ = true;
      co_return DbError{DbErrorCode::unavailable, "the connection has no socket"};
    }
    struct End {
      std::optional<SocketWaiter>& w;
      ~End() {
        if (w) w->end();
      }
    } end{waiter_};
    // Send everything, reading whatever the server says meanwhile.
    for (;;) {
      const int flushed = pq().PQflush(conn_);
      if (flushed == 0) break;
      if (flushed < 0 || !co_await waiter_->wait(Wait::write)) co_return abandon(deadline);
    }
    QueryResult out;
    std::optional<DbError> error;
    for (;;) {
      while (pq().PQisBusy(conn_) != 0) {
        if (!co_await waiter_->wait(Wait::read)) co_return abandon(deadline);
        if (pq().PQconsumeInput(conn_) == 0) {
          broken_ = true;
          co_return DbError{DbErrorCode::unavailable, trimmed_error(conn_)};
        }
      }
      PGresult* result = pq().PQgetResult(conn_);
      if (result == nullptr) break;
      collect(result, out, error);
      pq().PQclear(result);
    }
    if (error) co_return *error;
    co_return out;
  }

  // The deadline passed mid-statement: the connection's state is unknown, so it is closed (which
  // ends the statement on the server) rather than reused.
  DbError abandon(core::Deadline) {
    broken_ = true;
    return DbError{DbErrorCode::timeout, "the statement did not finish before its deadline"};
  }

  static void collect(PGresult* result, QueryResult& out, std::optional<DbError>& error) {
    const auto& lib = pq();  // once: its first-use check would be paid for every value
    switch (lib.PQresultStatus(result)) {
      case PGRES_TUPLES_OK: {
        const int columns = lib.PQnfields(result);
        out.columns.clear();
        for (int c = 0; c < columns; ++c) out.columns.emplace_back(lib.PQfname(result, c));
        const int rows = lib.PQntuples(result);
        out.rows.reserve(static_cast<size_t>(rows));
        for (int r = 0; r < rows; ++r) {
          std::vector<std::optional<std::string>> values;
          values.reserve(static_cast<size_t>(columns));
          for (int c = 0; c < columns; ++c) {
            // A NULL has length 0: only an empty value is asked whether it is one (a page of 20
            // threads is 160 values, each call a bounds-checked lookup through a pointer).
            const int length = lib.PQgetlength(result, r, c);
            if (length == 0 && lib.PQgetisnull(result, r, c)) {
              values.emplace_back(std::nullopt);
            } else {
              values.emplace_back(std::in_place, lib.PQgetvalue(result, r, c),
                                  static_cast<size_t>(length));
            }
          }
          out.rows.emplace_back(std::move(values));
        }
        out.affected_rows = rows;
        break;
      }
      case PGRES_COMMAND_OK: {
        const char* tuples = pq().PQcmdTuples(result);
        out.affected_rows = tuples && *tuples ? std::atoll(tuples) : 0;
        break;
      }
      case PGRES_EMPTY_QUERY:
        break;
      default: {
        std::string message = pq().PQresultErrorMessage(result);
        while (!message.empty() && message.back() == '\n') message.pop_back();
        if (!error)
          error = DbError{code_for(pq().PQresultErrorField(result, PG_DIAG_SQLSTATE)), message};
      }
    }
  }

  PGconn* conn_;
  std::optional<SocketWaiter> waiter_;
  bool broken_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text → statement name
};

}  // namespace

PostgresDriver::PostgresDriver(std::string conninfo, PostgresOptions options,
                               core::OffloadPool& offload)
    : conninfo_(std::move(conninfo)), options_(options), offload_(offload) {}

std::string PostgresDriver::describe() const {
  return redact_url(conninfo_);
}

asio::awaitable<core::Result<std::unique_ptr<DriverConnection>, std::string>>
PostgresDriver::connect(core::Deadline deadline) {
  using Opened = core::Result<std::unique_ptr<DriverConnection>, std::string>;
  // The connect timeout, or the caller's sooner deadline (a request's query timeout); the
  // message says which figure applied.
  const auto now = core::Deadline::clock::now();
  const bool caller_sooner = deadline.when() < now + options_.connect_timeout;
  const auto until = caller_sooner ? deadline : core::Deadline::at(now + options_.connect_timeout);
  const auto allowed_ms =
      caller_sooner ? deadline.remaining().count() : options_.connect_timeout.count();
  const std::string where = describe();
  std::string missing;
  if (load_libpq(missing) == nullptr)
    co_return Opened("cannot connect to " + where + ": " + missing);
  // PQconnectStart may resolve a host name, which blocks: it runs on the offload pool.
  auto start = [conninfo = conninfo_] { return pq().PQconnectStart(conninfo.c_str()); };
  PGconn* conn = nullptr;
  try {
    conn = co_await offload_.run(std::move(start));
  } catch (const std::exception& e) {
    co_return Opened("cannot connect to " + where + ": " + e.what());
  }
  if (conn == nullptr) co_return Opened("cannot connect to " + where + ": out of memory");
  struct Guard {
    PGconn*& c;
    ~Guard() {
      if (c != nullptr) pq().PQfinish(c);
    }
  } guard{conn};
  if (pq().PQstatus(conn) == CONNECTION_BAD) {
    co_return Opened("cannot connect to " + where + ": " + trimmed_error(conn));
  }
  pq().PQsetnonblocking(conn, 1);
  // Server notices ("table does not exist, skipping") are not errors; keep them off stderr.
  pq().PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  const auto executor = co_await asio::this_coro::executor;
  auto poll = PGRES_POLLING_WRITING;
  while (poll != PGRES_POLLING_OK) {
    if (poll == PGRES_POLLING_FAILED) {
      co_return Opened("cannot connect to " + where + ": " + trimmed_error(conn));
    }
    // A fresh waiter per step: libpq may close the socket and open another between polls (it
    // tries the next address), possibly with the same number.
    bool ready = false;
    {
      SocketWaiter waiter;
      const Wait what = poll == PGRES_POLLING_READING ? Wait::read : Wait::write;
      if (waiter.begin(executor, conn, until)) ready = co_await waiter.wait(what);
      waiter.end();
    }
    if (!ready) {
      co_return Opened("connecting to " + where + " timed out after " + std::to_string(allowed_ms) +
                       " ms (the server accepted nothing or did not answer)");
    }
    poll = pq().PQconnectPoll(conn);
  }
  auto connection = std::make_unique<PostgresConnection>(conn);
  conn = nullptr;  // owned by the connection now
  // The server ends any statement that runs longer, even if we are gone.
  const std::string timeout =
      "SET statement_timeout = " + std::to_string(options_.statement_timeout.count());
  auto set = co_await connection->execute(timeout, {}, until);
  if (!set)
    co_return Opened("cannot configure the connection to " + where + ": " + set.error().message);
  co_return Opened(std::unique_ptr<DriverConnection>(std::move(connection)));
}

}  // namespace netra::db::detail
