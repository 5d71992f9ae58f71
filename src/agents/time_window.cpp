#include "agents/time_window.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <functional>
#include <optional>
#include <regex>
#include <vector>

namespace netra::agents {
namespace {

namespace chr = std::chrono;
using Words = std::vector<std::string>;

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

chr::sys_days day_of(int64_t ms) {
  return chr::floor<chr::days>(chr::sys_time<chr::milliseconds>(chr::milliseconds(ms)));
}
int64_t ms_at(chr::sys_days day) {
  return chr::duration_cast<chr::milliseconds>(day.time_since_epoch()).count();
}
std::string iso(chr::sys_days day) {
  const chr::year_month_day ymd{day};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}
std::string month_label(chr::year_month ym) {
  return fmt::format("{} {}", kMonthNames[static_cast<unsigned>(ym.month()) - 1],
                     static_cast<int>(ym.year()));
}
chr::sys_days first_of(chr::year_month ym) {
  return chr::sys_days(ym / 1);
}

// Lower-case runs of letters or digits; "24h" is "24" then "h", so "last 24h" reads like "last
// 24 hours".
Words words_of(std::string_view text) {
  Words out;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) out.push_back(std::move(current));
    current.clear();
  };
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isdigit(u) != 0) {
      if (!current.empty() && std::isalpha(static_cast<unsigned char>(current.back())) != 0)
        flush();
      current.push_back(c);
    } else if (std::isalpha(u) != 0) {
      if (!current.empty() && std::isdigit(static_cast<unsigned char>(current.back())) != 0)
        flush();
      current.push_back(static_cast<char>(std::tolower(u)));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

bool one_of(std::string_view word, std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), word) != options.end();
}

enum class Unit { hour, day, week, month, year };

std::optional<Unit> unit_of(std::string_view w) {
  if (one_of(w, {"h", "hr", "hrs", "hour", "hours"})) return Unit::hour;
  if (one_of(w, {"d", "day", "days"})) return Unit::day;
  if (one_of(w, {"w", "wk", "wks", "week", "weeks"})) return Unit::week;
  if (one_of(w, {"mo", "mos", "month", "months"})) return Unit::month;
  if (one_of(w, {"y", "yr", "yrs", "year", "years"})) return Unit::year;
  return std::nullopt;
}

int64_t unit_ms(Unit unit) {
  switch (unit) {
    case Unit::hour:
      return kHourMs;
    case Unit::day:
      return kDayMs;
    case Unit::week:
      return 7 * kDayMs;
    case Unit::month:
      return 30 * kDayMs;
    case Unit::year:
      return 365 * kDayMs;
  }
  return kDayMs;
}

std::string_view plural_name(Unit unit) {
  static constexpr std::array<std::string_view, 5> kPlural = {"hours", "days", "weeks", "months",
                                                              "years"};
  return kPlural[static_cast<size_t>(unit)];
}

// Bounded, so that N units before now stays far inside int64 milliseconds.
constexpr int64_t kMaxCount = 10'000;

std::optional<int64_t> count_of(std::string_view w) {
  if (!w.empty() && w.size() <= 5 && std::all_of(w.begin(), w.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    const int64_t n = std::stoll(std::string(w));
    if (n >= 1 && n <= kMaxCount) return n;
    return std::nullopt;
  }
  static constexpr std::array<std::pair<std::string_view, int64_t>, 18> kWords = {{
      {"one", 1},
      {"two", 2},
      {"three", 3},
      {"four", 4},
      {"five", 5},
      {"six", 6},
      {"seven", 7},
      {"eight", 8},
      {"nine", 9},
      {"ten", 10},
      {"eleven", 11},
      {"twelve", 12},
      {"fourteen", 14},
      {"fifteen", 15},
      {"twenty", 20},
      {"thirty", 30},
      {"sixty", 60},
      {"ninety", 90},
  }};
  for (const auto& [word, n] : kWords) {
    if (w == word) return n;
  }
  return std::nullopt;
}

std::optional<unsigned> month_of(std::string_view w) {
  static constexpr std::array<std::string_view, 12> kShort = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  for (unsigned i = 0; i < 12; ++i) {
    std::string full(kMonthNames[i]);
    full[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(full[0])));
    if (w == full || w == kShort[i]) return i + 1;
  }
  if (w == "sept") return 9;
  return std::nullopt;
}

std::optional<int> year_of(std::string_view w) {
  if (w.size() != 4 || !std::all_of(w.begin(), w.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      }))
    return std::nullopt;
  const int year = std::stoi(std::string(w));
  if (year < 2000 || year > 2099) return std::nullopt;
  return year;
}

struct Found {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::string label;
};

class Reader {
 public:
  Reader(const Words& words, int64_t now_ms)
      : w_(words), now_(now_ms), today_(day_of(now_ms)), this_month_(year_month_of(today_)) {}

  // The expression that starts at word i, if one does.
  std::optional<Found> at(size_t i) const {
    if (auto f = relative(i)) return f;
    if (auto f = named_day(i)) return f;
    if (auto f = current(i)) return f;
    if (auto f = month(i)) return f;
    return year(i);
  }

 private:
  static chr::year_month year_month_of(chr::sys_days day) {
    const chr::year_month_day ymd{day};
    return ymd.year() / ymd.month();
  }
  std::string_view word(size_t i) const { return i < w_.size() ? w_[i] : std::string_view(); }

  // "last 7 days", "past week", "in the last month", "previous 2 weeks", "last week".
  std::optional<Found> relative(size_t i) const {
    if (!one_of(word(i), {"last", "past", "previous", "trailing"})) return std::nullopt;
    size_t j = i + 1;
    std::optional<int64_t> count;
    if (word(j) == "couple" || word(j) == "few") {
      count = word(j) == "couple" ? 2 : 3;
      j += word(j + 1) == "of" ? 2 : 1;
    } else if ((count = count_of(word(j)))) {
      ++j;
    }
    auto unit = unit_of(word(j));
    if (!unit) return std::nullopt;
    const bool rolling =
        count || word(i) == "past" || word(i) == "trailing" || (i > 0 && w_[i - 1] == "the");
    if (rolling) {
      const int64_t n = count.value_or(1);
      const int64_t from = std::max<int64_t>(0, now_ - n * unit_ms(*unit));
      return Found{from, now_, rolling_label(n, *unit)};
    }
    return previous_calendar(*unit);
  }

  // "last 1 month" reads oddly and "last month" means the calendar month: one unit is said in
  // the next smaller one.
  static std::string rolling_label(int64_t n, Unit unit) {
    if (n == 1) {
      switch (unit) {
        case Unit::hour:
          return "last hour";
        case Unit::day:
          return "last 24 hours";
        case Unit::week:
          return "last 7 days";
        case Unit::month:
          return "last 30 days";
        case Unit::year:
          return "last 365 days";
      }
    }
    return fmt::format("last {} {}", n, plural_name(unit));
  }

  std::optional<Found> previous_calendar(Unit unit) const {
    switch (unit) {
      case Unit::hour:
        return Found{now_ - kHourMs, now_, "last hour"};
      case Unit::day:
        return yesterday();
      case Unit::week: {
        const auto monday = week_start();
        return Found{ms_at(monday - chr::days(7)), ms_at(monday),
                     fmt::format("last week ({} to {})", iso(monday - chr::days(7)),
                                 iso(monday - chr::days(1)))};
      }
      case Unit::month: {
        const auto previous = this_month_ - chr::months(1);
        return Found{ms_at(first_of(previous)), ms_at(first_of(this_month_)),
                     fmt::format("last month ({})", month_label(previous))};
      }
      case Unit::year: {
        const auto year = this_month_.year() - chr::years(1);
        return Found{ms_at(chr::sys_days(year / 1 / 1)),
                     ms_at(chr::sys_days(this_month_.year() / 1 / 1)),
                     fmt::format("last year ({})", static_cast<int>(year))};
      }
    }
    return std::nullopt;
  }

  Found yesterday() const {
    return Found{ms_at(today_ - chr::days(1)), ms_at(today_),
                 fmt::format("yesterday ({})", iso(today_ - chr::days(1)))};
  }

  chr::sys_days week_start() const {
    const chr::weekday wd{today_};
    return today_ - chr::days((wd.c_encoding() + 6) % 7);  // Monday first
  }

  std::optional<Found> named_day(size_t i) const {
    if (word(i) == "yesterday") return yesterday();
    if (word(i) == "today")
      return Found{ms_at(today_), now_, fmt::format("today ({})", iso(today_))};
    return std::nullopt;
  }

  // "this month", "month to date", "mtd".
  std::optional<Found> current(size_t i) const {
    std::optional<Unit> unit;
    if (word(i) == "this") {
      unit = unit_of(word(i + 1));
    } else if (word(i + 1) == "to" && word(i + 2) == "date") {
      unit = unit_of(word(i));
    } else if (one_of(word(i), {"wtd", "mtd", "ytd"})) {
      unit = word(i) == "wtd" ? Unit::week : word(i) == "mtd" ? Unit::month : Unit::year;
    }
    if (!unit) return std::nullopt;
    switch (*unit) {
      case Unit::hour:
        return Found{now_ - now_ % kHourMs, now_, "this hour"};
      case Unit::day:
        return Found{ms_at(today_), now_, fmt::format("today ({})", iso(today_))};
      case Unit::week:
        return Found{ms_at(week_start()), now_,
                     fmt::format("this week (since {})", iso(week_start()))};
      case Unit::month:
        return Found{ms_at(first_of(this_month_)), now_,
                     fmt::format("this month ({}, to date)", month_label(this_month_))};
      case Unit::year:
        return Found{ms_at(chr::sys_days(this_month_.year() / 1 / 1)), now_,
                     fmt::format("this year ({}, to date)", static_cast<int>(this_month_.year()))};
    }
    return std::nullopt;
  }

  // "in March", "during march 2024", "since Feb", "March 2024"; bare "may" is not a month.
  std::optional<Found> month(size_t i) const {
    const bool after_preposition =
        one_of(word(i), {"in", "during", "for", "of", "throughout", "over", "since"});
    const size_t at = after_preposition ? i + 1 : i;
    auto m = month_of(word(at));
    if (!m) return std::nullopt;
    auto year = year_of(word(at + 1));
    if (!after_preposition && !year) return std::nullopt;
    chr::year_month ym = this_month_.year() / chr::month(*m);
    if (year) {
      ym = chr::year(*year) / chr::month(*m);
    } else if (ym > this_month_) {
      ym -= chr::years(1);  // the latest such month that has begun
    }
    if (word(i) == "since") {
      return Found{ms_at(first_of(ym)), now_, fmt::format("since {}", month_label(ym))};
    }
    return Found{ms_at(first_of(ym)), ms_at(first_of(ym + chr::months(1))), month_label(ym)};
  }

  // "in 2024", "since 2023".
  std::optional<Found> year(size_t i) const {
    if (!one_of(word(i), {"in", "during", "throughout", "since"})) return std::nullopt;
    auto y = year_of(word(i + 1));
    if (!y) return std::nullopt;
    const auto start = chr::sys_days(chr::year(*y) / 1 / 1);
    if (word(i) == "since") return Found{ms_at(start), now_, fmt::format("since {}", *y)};
    return Found{ms_at(start), ms_at(chr::sys_days(chr::year(*y + 1) / 1 / 1)),
                 fmt::format("{}", *y)};
  }

  const Words& w_;
  int64_t now_;
  chr::sys_days today_;
  chr::year_month this_month_;
};

// "2024-03-01", or "2024-03-01 to 2024-03-15" (any words between).
std::optional<Found> iso_dates(std::string_view text) {
  static const std::regex kDate(R"((^|[^0-9])(\d{4})-(\d{2})-(\d{2})($|[^0-9]))");
  std::vector<chr::sys_days> days;
  std::string rest(text);
  std::smatch m;
  while (days.size() < 2 && std::regex_search(rest, m, kDate)) {
    const chr::year_month_day ymd{chr::year(std::stoi(m[2].str())),
                                  chr::month(static_cast<unsigned>(std::stoi(m[3].str()))),
                                  chr::day(static_cast<unsigned>(std::stoi(m[4].str())))};
    if (ymd.ok() && ymd.year() >= chr::year(2000) && ymd.year() < chr::year(2100)) {
      days.push_back(chr::sys_days(ymd));
    }
    // Resume before the character that ended this match: it may begin the next date.
    rest = rest.substr(static_cast<size_t>(m.position(5)));
  }
  if (days.empty()) return std::nullopt;
  if (days.size() == 1) return Found{ms_at(days[0]), ms_at(days[0] + chr::days(1)), iso(days[0])};
  auto [first, last] = std::minmax(days[0], days[1]);
  return Found{ms_at(first), ms_at(last + chr::days(1)),
               fmt::format("{} to {}", iso(first), iso(last))};
}

TimeWindow default_window(int64_t now_ms) {
  TimeWindow w;
  w.range = {std::max<int64_t>(0, now_ms - kDefaultWindowDays * kDayMs), now_ms};
  w.label = fmt::format("last {} days (default)", kDefaultWindowDays);
  return w;
}

}  // namespace

TimeWindow parse_time_window(std::string_view text, int64_t now_ms) {
  std::optional<Found> found = iso_dates(text);
  if (!found) {
    const Words words = words_of(text);
    const Reader reader(words, now_ms);
    for (size_t i = 0; i < words.size() && !found; ++i) found = reader.at(i);
  }
  if (!found) return default_window(now_ms);
  TimeWindow w;
  w.range = {found->from_ms, std::min(found->to_ms, now_ms)};
  w.label = std::move(found->label);
  w.stated = true;
  if (w.range.from_ms >= w.range.to_ms) {
    auto fallback = default_window(now_ms);
    fallback.note = fmt::format("{} has not begun yet; the report covers the {} instead", w.label,
                                fmt::format("last {} days", kDefaultWindowDays));
    return fallback;
  }
  return w;
}

}  // namespace netra::agents
