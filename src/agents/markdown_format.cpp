#include "agents/markdown_format.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

namespace netra::agents::markdown {
namespace {

// "1234567" → "1,234,567"; a leading '-' stays in front.
std::string group_thousands(std::string digits) {
  const size_t start = !digits.empty() && digits[0] == '-' ? 1 : 0;
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3;
       i > static_cast<std::ptrdiff_t>(start); i -= 3) {
    digits.insert(static_cast<size_t>(i), ",");
  }
  return digits;
}

}  // namespace

std::string count(double value) {
  return group_thousands(fmt::format("{:.0f}", std::round(value)));
}

std::string money(double usd) {
  if (usd > 0 && usd < 0.005) return "<$0.01";
  const std::string fixed = fmt::format("{:.2f}", usd);
  const auto dot = fixed.find('.');
  return "$" + group_thousands(fixed.substr(0, dot)) + fixed.substr(dot);
}

std::string percent(double share) {
  return fmt::format("{:.1f}%", share * 100);
}

std::string plain(double value, int decimals) {
  std::string s = fmt::format("{:.{}f}", value, decimals);
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string utc_time(int64_t unix_ms) {
  namespace chr = std::chrono;
  const chr::sys_time<chr::milliseconds> t{chr::milliseconds(unix_ms)};
  const auto day = chr::floor<chr::days>(t);
  const chr::year_month_day ymd{day};
  const chr::hh_mm_ss hms{chr::floor<chr::minutes>(t - day)};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} UTC", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count());
}

std::string evidence_value(const Evidence& e) {
  if (e.unit == "requests" || e.unit == "count" || e.unit == "tokens") return count(e.value);
  if (e.unit == "ms") return count(e.value) + " ms";
  if (e.unit == "usd") return money(e.value);
  // Prices go down to tenths of a cent per million tokens (gemini-1.5-flash: $0.075).
  if (e.unit == "usd_per_mtok") return "$" + plain(e.value, 3) + "/M tokens";
  if (e.unit == "share") return percent(e.value);
  if (e.unit == "unix_ms") return utc_time(static_cast<int64_t>(e.value));
  return plain(e.value);
}

std::string evidence_name(std::string_view name) {
  std::string out(name);
  for (auto& c : out) {
    if (c == '_') c = ' ';
  }
  return out;
}

std::string code(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') {
      out += '\'';
    } else if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "`";
}

std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace netra::agents::markdown
