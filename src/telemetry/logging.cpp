#include "telemetry/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>

#include "telemetry/trace_scope.hpp"

namespace netra::telemetry {
namespace {

constexpr const char* kTextPattern = "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v%*";

// " trace=<id>" after a line logged by the work of a trace (a request's handler, an agent run, a
// job: the scope is current while it runs, see trace_scope.hpp), so one id finds every line of
// a request; nothing after other lines.
class TraceIdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const TraceScope* scope = current_trace_scope();
    if (scope == nullptr) return;
    constexpr std::string_view label = " trace=";
    dest.append(label.data(), label.data() + label.size());
    dest.append(scope->trace_id.data(), scope->trace_id.data() + scope->trace_id.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TraceIdFlag>();
  }
};

std::unique_ptr<spdlog::formatter> text_formatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<TraceIdFlag>('*').set_pattern(kTextPattern);
  return formatter;
}

// {"ts":"2026-11-28T00:00:00.123Z","level":"info","component":"database","msg":"ready"}, with
// "trace_id" on a line logged by the work of a trace (see TraceIdFlag).
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    const auto since_epoch = msg.time.time_since_epoch();
    const auto secs = duration_cast<seconds>(since_epoch);
    const auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
    const std::time_t t = secs.count();
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[96];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(millis));
    nlohmann::json line = {
        {"ts", stamp},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"component", std::string(msg.logger_name.data(), msg.logger_name.size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())},
    };
    if (const TraceScope* scope = current_trace_scope())
      line["trace_id"] = std::string(scope->trace());
    // Replace invalid UTF-8 rather than throwing from inside the logger.
    const auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

std::mutex g_mutex;
spdlog::sink_ptr g_sink;
spdlog::level::level_enum g_level = spdlog::level::info;

spdlog::sink_ptr sink_locked() {
  if (!g_sink) {
    g_sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    g_sink->set_formatter(text_formatter());
  }
  return g_sink;
}

constexpr size_t kRecentProblems = 50;

// Warnings and worse, kept for /status; the sink's own level filters what the logger passes.
std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> problems_sink() {
  static const auto sink = [] {
    auto made = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kRecentProblems);
    made->set_level(spdlog::level::warn);
    return made;
  }();
  return sink;
}

}  // namespace

LogFormat resolve_log_format(std::string_view setting) {
  if (setting == "text") return LogFormat::text;
  if (setting == "json") return LogFormat::json;
  return ::isatty(STDERR_FILENO) ? LogFormat::text : LogFormat::json;
}

void init_logging(LogFormat format, std::string_view level) {
  std::lock_guard lock(g_mutex);
  auto sink = sink_locked();
  if (format == LogFormat::json) {
    sink->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    sink->set_formatter(text_formatter());
  }
  g_level = spdlog::level::from_str(std::string(level));
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->set_level(g_level); });
}

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  std::lock_guard lock(g_mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto made = std::make_shared<spdlog::logger>(
      component, spdlog::sinks_init_list{sink_locked(), problems_sink()});
  made->set_level(g_level);
  made->flush_on(spdlog::level::trace);
  spdlog::register_logger(made);
  return made;
}

std::vector<LoggedProblem> recent_problems() {
  std::vector<LoggedProblem> out;
  for (const auto& raw : problems_sink()->last_raw()) {
    const auto level = spdlog::level::to_string_view(raw.level);
    out.push_back(
        {std::chrono::duration<double>(raw.time.time_since_epoch()).count(),
         raw.level == spdlog::level::warn ? "warning" : std::string(level.data(), level.size()),
         std::string(raw.logger_name.data(), raw.logger_name.size()),
         std::string(raw.payload.data(), raw.payload.size())});
  }
  return out;
}

}  // namespace netra::telemetry
