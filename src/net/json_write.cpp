#include "net/json_write.hpp"

#include <array>
#include <boost/json/serializer.hpp>

namespace netra::net {

void append_json_string(std::string& out, std::string_view text) {
  boost::json::serializer writer;
  writer.reset(boost::json::string_view(text.data(), text.size()));
  // A string of up to 510 bytes that need no escaping takes one read.
  std::array<char, 512> buffer;
  while (!writer.done()) {
    const auto written = writer.read(buffer.data(), buffer.size());
    out.append(written.data(), written.size());
  }
}

}  // namespace netra::net
