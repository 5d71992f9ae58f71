// AgentRuns: how a user's request becomes an agent run, the one path the WebSocket channel and the
// REST API share — the request saved as the user's message, a queued run recorded, and the run
// handed to the Supervisor; and how a user stops one. Without a running supervisor (the
// agent_supervisor component not started yet, degraded or stopping) a run fails at once with
// agent_error AGENT_UNAVAILABLE, through the same sink, so a client always hears how it ended.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "agents/supervisor.hpp"
#include "chat/chat_store.hpp"
#include "chat/event_sink.hpp"

namespace netra::agents {

// What a user asks an agent for.
struct RunAsk {
  std::string user_id;
  std::optional<std::string> thread_id;  // absent: a new thread, opened by the request
  std::string request;
  // A chat message (user_message) is kept even when no run can start for it — the thread has an
  // active run, or no supervisor runs — and then starts none. A command (start_agent, the REST
  // route) is refused while the thread has an active run, before anything is saved.
  bool chat_message = false;
};

struct StartedRun {
  chat::Message request;    // the user's message that holds the request
  bool new_thread = false;  // the message opened a thread
  // The run recorded for it (as recorded: queued; its events say what became of it), or none
  // for a chat message that started no run.
  std::optional<chat::Run> run;
  // What the supervisor did with the run; `stopping` also when no supervisor runs.
  Admission admission = Admission::stopping;
  std::optional<std::string> active_run_id;  // no run: the thread's active one, if that is why
};

// How the request fared, as the socket and the REST API name it: "started", "queued", "busy",
// "run_active" or "unavailable".
std::string_view agent_state(const StartedRun& started);

struct StoppedRun {
  chat::Run run;  // as the store holds it after the stop
  // True when this instance runs it: it ends cancelled before its next step, with agent_error
  // CANCELLED. False: it was not running here, and is cancelled in the store (a run on another
  // instance reads that before its next step).
  bool stopping_here = false;
};

// Thread-safe. The stores and the sink must outlive it.
class AgentRuns {
 public:
  AgentRuns(chat::ChatStore& chat, chat::EventSink& events) : chat_(chat), events_(events) {}

  // Saves the request as the user's message, records a queued run for it and submits it.
  // Errors are the store's: not_found for a thread that is not the user's, invalid for a request
  // the store refuses, conflict for a command while the thread has an active run. A run the
  // supervisor refuses (BUSY, RUN_ACTIVE in a race, AGENT_UNAVAILABLE) is not an error: it is
  // recorded failed and its agent_error emitted before this returns.
  asio::awaitable<chat::ChatResult<StartedRun>> start(RunAsk ask, core::Deadline deadline);

  // Stops the user's run. not_found for a run that is not theirs; conflict for one that has
  // already ended (its status in the message).
  asio::awaitable<chat::ChatResult<StoppedRun>> stop(std::string user_id, std::string run_id,
                                                     core::Deadline deadline);

  // Who hears of a thread a request opened (a message without a thread id): the user's clients,
  // told before the run's first event (thread_created). Set while the service is assembled.
  void announce_threads(std::function<void(const chat::Thread&)> opened) {
    opened_ = std::move(opened);
  }

  // The agent_supervisor component attaches its supervisor once started, and detaches it when it
  // stops; runs asked for in between go to it.
  void attach(std::shared_ptr<Supervisor> supervisor);
  std::shared_ptr<Supervisor> detach();
  std::shared_ptr<Supervisor> supervisor() const;

 private:
  chat::ChatStore& chat_;
  chat::EventSink& events_;
  mutable std::mutex mutex_;
  std::shared_ptr<Supervisor> supervisor_;
  std::function<void(const chat::Thread&)> opened_;
};

}  // namespace netra::agents
