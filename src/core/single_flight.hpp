// SingleFlight: one run of a piece of async work at a time, shared by everyone who asks while it
// runs. The first caller runs it; callers from any event loop that arrive meanwhile wait for that
// run to finish (each until its own deadline) instead of starting another. Used where many
// requests discover the same need at once, e.g. fetching a key set nobody has yet.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/deadline.hpp"

namespace netra::core {

namespace asio = boost::asio;

class SingleFlight {
 public:
  enum class Outcome {
    ran,        // this call ran the work
    joined,     // another call's run finished while this one waited
    timed_out,  // this call's deadline passed while another run was still going
  };

  // `work` must bound its own waits; it runs on the caller's executor. An exception from it
  // reaches this caller; the waiters are released either way.
  asio::awaitable<Outcome> run(std::function<asio::awaitable<void>()> work, Deadline deadline);

  // A run that is not a coroutine here (work another thread does, begun before anyone asks):
  // callers of run() wait for it, each until its deadline, until end() releases them. False, and
  // nothing begun, when a run is going already.
  bool begin();
  void end() { finish(); }

  bool in_flight() const;

 private:
  void finish();

  mutable std::mutex mutex_;
  bool running_ = false;
  // Waiters' timers, each cancelled on its own executor when the run ends.
  std::vector<std::shared_ptr<asio::steady_timer>> waiters_;
};

}  // namespace netra::core
