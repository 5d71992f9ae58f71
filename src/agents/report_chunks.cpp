#include "agents/report_chunks.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "agents/report.hpp"

namespace netra::agents {

asio::awaitable<void> ReportChunks::append(std::string text) {
  co_await send(sent_.size(), std::move(text), false);
}

asio::awaitable<void> ReportChunks::finish(const std::string& report) {
  const size_t shared = std::min(sent_.size(), report.size());
  size_t from = static_cast<size_t>(
      std::mismatch(report.begin(), report.begin() + static_cast<std::ptrdiff_t>(shared),
                    sent_.begin())
          .first -
      report.begin());
  // Never inside a character: a chunk's text is whole UTF-8.
  while (from > 0 && from < report.size() &&
         (static_cast<unsigned char>(report[from]) & 0xC0) == 0x80)
    --from;
  // The rest, cut where the report's sections begin.
  std::vector<size_t> cuts;
  size_t at = 0;
  for (const auto& section : report_sections(report)) {
    at += section.size();
    if (at > from && at < report.size()) cuts.push_back(at);
  }
  cuts.push_back(report.size());
  size_t start = from;
  for (size_t i = 0; i < cuts.size(); ++i) {
    co_await send(start, report.substr(start, cuts[i] - start), i + 1 == cuts.size());
    start = cuts[i];
  }
}

asio::awaitable<void> ReportChunks::send(size_t offset, std::string text, bool last) {
  sent_.resize(offset);
  sent_ += text;
  nlohmann::json chunk = {{"index", index_++}, {"offset", offset}, {"text", std::move(text)}};
  if (last) chunk["last"] = true;
  co_await emitter_.emit(chat::AgentEventType::agent_response_chunk, agent_, std::move(chunk));
}

}  // namespace netra::agents
