// RunEventSink: the EventSink over the run store — each event becomes the run's next step, then
// goes to `deliver` (the socket registry, in the app) for the run's user.
#pragma once

#include <functional>

#include "chat/event_sink.hpp"
#include "chat/run_store.hpp"

namespace netra::chat {

class RunEventSink final : public EventSink {
 public:
  using Deliver = std::function<void(const AgentEvent& event)>;
  RunEventSink(RunStore& runs, Deliver deliver, UnixClock clock = core::unix_ms_now)
      : runs_(runs), deliver_(std::move(deliver)), clock_(std::move(clock)) {}

  asio::awaitable<ChatResult<AgentEvent>> emit(AgentEvent event, core::Deadline deadline) override;
  void deliver_unstored(AgentEvent event) override;

  // What a step stores of an event (besides its type, seq and time of storing), and the event
  // read back from such a step (nullopt for a step this sink did not write).
  static nlohmann::json step_payload(const AgentEvent& event);
  static std::optional<AgentEvent> event_from_step(const RunStep& step);

 private:
  RunStore& runs_;
  Deliver deliver_;
  UnixClock clock_;
};

}  // namespace netra::chat
