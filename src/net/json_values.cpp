#include "net/json_values.hpp"

namespace netra::net {

boost::json::value to_boost_json(const nlohmann::json& value, boost::json::storage_ptr sp) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::object: {
      boost::json::object out(value.size(), sp);
      for (const auto& [key, item] : value.items()) out.emplace(key, to_boost_json(item, sp));
      return out;
    }
    case Type::array: {
      boost::json::array out(sp);
      out.reserve(value.size());
      for (const auto& item : value) out.emplace_back(to_boost_json(item, sp));
      return out;
    }
    case Type::string:
      return boost::json::string(value.get_ref<const std::string&>(), sp);
    case Type::boolean:
      return boost::json::value(value.get<bool>(), sp);
    case Type::number_integer:
      return boost::json::value(value.get<int64_t>(), sp);
    case Type::number_unsigned:
      return boost::json::value(value.get<uint64_t>(), sp);
    case Type::number_float:
      return boost::json::value(value.get<double>(), sp);
    case Type::null:
    case Type::binary:  // never made by our code; written as null like a discarded value
    case Type::discarded:
      break;
  }
  return boost::json::value(nullptr, sp);
}

}  // namespace netra::net
