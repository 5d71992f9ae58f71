// ReportChunks: a report sent as it is written, in agent_response_chunk events {index, offset,
// text, last}. Each chunk's text belongs `offset` bytes into the report and replaces whatever was
// sent from there on: a summary the model streamed and the checks then refused is taken back by
// the next chunk. Applied in order, the chunks are the stored report; the last says so.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "agents/run_emitter.hpp"

namespace netra::agents {

namespace asio = boost::asio;

class ReportChunks {
 public:
  ReportChunks(RunEmitter& emitter, std::string_view agent) : emitter_(emitter), agent_(agent) {}

  // Sends `text` after what was sent.
  asio::awaitable<void> append(std::string text);
  // Sends what of `report` the client does not have yet — from where what was sent and the
  // report first differ — a section per chunk, the last one marked.
  asio::awaitable<void> finish(const std::string& report);

  const std::string& sent() const { return sent_; }

 private:
  asio::awaitable<void> send(size_t offset, std::string text, bool last);

  RunEmitter& emitter_;
  std::string agent_;
  std::string sent_;  // what a client that applied every chunk holds
  size_t index_ = 0;
};

}  // namespace netra::agents
