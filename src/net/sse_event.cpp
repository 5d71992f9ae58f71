#include "net/sse_event.hpp"

namespace netra::net {

std::string sse_event(std::string_view type, std::string_view data, std::optional<int64_t> id) {
  std::string out;
  out.reserve(type.size() + data.size() + 32);
  if (id) out.append("id: ").append(std::to_string(*id)).append("\n");
  out.append("event: ").append(type).append("\ndata: ").append(data).append("\n\n");
  return out;
}

}  // namespace netra::net
