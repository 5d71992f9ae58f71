#include "analytics/model_catalog.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#include "core/embedded_file.hpp"

namespace netra::analytics {
namespace detail {
const std::vector<core::EmbeddedFile>& catalog_files();  // model_catalog.json, compiled in
}  // namespace detail
namespace {

// Lower case, and the separators people mix (space, dot, underscore, slash, colon) as one '-':
// "Claude 3.5 Sonnet" and "claude-3-5-sonnet" read the same.
std::string normalize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '.' || c == '_' || c == '/' || c == ':' || c == '\t' || c == '\n') {
      if (!out.empty() && out.back() != '-') out.push_back('-');
    } else {
      out.push_back(static_cast<char>(std::tolower(u)));
    }
  }
  return out;
}

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

struct Spelling {
  std::string text;  // normalized
  const ModelInfo* model;
};

// One installed catalog: its data, the views lookups return, and every spelling, longest first
// so that the first that matches at a place is the longest.
struct Snapshot {
  CatalogData data;
  std::vector<ModelInfo> infos;
  std::vector<Spelling> spellings;
};

std::unique_ptr<const Snapshot> build_snapshot(const CatalogData& data) {
  auto s = std::make_unique<Snapshot>();
  s->data = data;
  s->infos.reserve(s->data.models.size());
  for (const auto& e : s->data.models) {
    s->infos.push_back({e.id, e.vendor, e.input_usd_per_mtok, e.output_usd_per_mtok, e.cheaper,
                        e.fallback, e.family, e.checked});
  }
  for (size_t i = 0; i < s->infos.size(); ++i) {
    s->spellings.push_back({normalize(s->data.models[i].id), &s->infos[i]});
    for (const auto& alias : s->data.models[i].aliases) {
      s->spellings.push_back({normalize(alias), &s->infos[i]});
    }
  }
  std::stable_sort(
      s->spellings.begin(), s->spellings.end(),
      [](const Spelling& a, const Spelling& b) { return a.text.size() > b.text.size(); });
  return s;
}

// The installed snapshot, and the ones it replaced, kept until nobody can still hold them.
struct Installed {
  std::mutex mutex;
  std::atomic<const Snapshot*> current{nullptr};
  std::unique_ptr<const Snapshot> owned;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::unique_ptr<const Snapshot>>>
      retired;
};

Installed& installed() {
  static Installed state;
  return state;
}

void publish(std::unique_ptr<const Snapshot> next) {
  auto& state = installed();
  std::lock_guard lock(state.mutex);
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(state.retired,
                [&](const auto& r) { return now - r.first > kRetiredCatalogLifetime; });
  state.current.store(next.get(), std::memory_order_release);
  if (state.owned) state.retired.emplace_back(now, std::move(state.owned));
  state.owned = std::move(next);
}

const Snapshot& current() {
  auto& state = installed();
  if (const auto* s = state.current.load(std::memory_order_acquire)) return *s;
  static std::once_flag builtin;
  std::call_once(builtin, [] {
    if (installed().current.load(std::memory_order_acquire) == nullptr) {
      publish(build_snapshot(builtin_catalog()));
    }
  });
  return *state.current.load(std::memory_order_acquire);
}

bool is_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
}

}  // namespace

std::span<const ModelInfo> known_models() {
  return current().infos;
}

std::vector<const ModelInfo*> models_in_text(std::string_view text) {
  const auto& catalog = current();
  const std::string norm = normalize(text);
  std::vector<const ModelInfo*> found;
  size_t at = 0;
  while (at < norm.size()) {
    // A name starts a word: "xgpt-4o" names nothing.
    if (at > 0 && is_alnum(norm[at - 1])) {
      ++at;
      continue;
    }
    const Spelling* match = nullptr;
    for (const auto& s : catalog.spellings) {
      if (norm.compare(at, s.text.size(), s.text) != 0) continue;
      const size_t end = at + s.text.size();
      // And ends one: "gpt-4o" is not in "gpt-4omega", but is in "gpt-4o-2024-08-06".
      if (end < norm.size() && is_alnum(norm[end])) continue;
      match = &s;
      break;
    }
    if (match == nullptr) {
      ++at;
      continue;
    }
    if (std::find(found.begin(), found.end(), match->model) == found.end()) {
      found.push_back(match->model);
    }
    at += match->text.size();
  }
  return found;
}

const ModelInfo* find_model(std::string_view name) {
  auto found = models_in_text(name);
  return found.empty() ? nullptr : found.front();
}

std::string canonical_model_name(std::string_view model) {
  const auto* known = find_model(model);
  return known != nullptr ? std::string(known->name) : std::string(model);
}

double list_cost_usd(const ModelInfo& model, double input_tokens, double output_tokens) {
  return (input_tokens * model.input_usd_per_mtok + output_tokens * model.output_usd_per_mtok) /
         1e6;
}

}  // namespace netra::analytics

namespace netra::analytics {

core::Result<CatalogEntry, std::string> parse_catalog_entry(const std::string& id,
                                                            const nlohmann::json& json) {
  if (!is_id(id)) {
    return std::string("a model id is 1 to 64 of a-z, 0-9, '.' and '-': \"") + id.substr(0, 64) +
           "\"";
  }
  if (!json.is_object()) return id + ": an entry is a JSON object";
  CatalogEntry e;
  e.id = id;
  const auto text = [&](const char* key, std::string& out, bool required) -> std::string {
    const auto it = json.find(key);
    if (it == json.end() || it->is_null()) {
      return required ? id + ": " + key + " is required" : "";
    }
    if (!it->is_string() || it->get_ref<const std::string&>().size() > 64) {
      return id + ": " + key + " is a string of at most 64 bytes";
    }
    out = it->get<std::string>();
    return "";
  };
  const auto price = [&](const char* key, double& out) -> std::string {
    const auto it = json.find(key);
    if (it == json.end() || !it->is_number()) return id + ": " + key + " is a number";
    out = it->get<double>();
    if (!std::isfinite(out) || out < 0 || out > 10'000) {
      return id + ": " + key + " is from 0 to 10000 (USD per million tokens)";
    }
    return "";
  };
  for (auto problem :
       {text("vendor", e.vendor, true), text("family", e.family, false),
        text("cheaper", e.cheaper, false), text("fallback", e.fallback, false),
        text("checked", e.checked, false), price("input_usd_per_mtok", e.input_usd_per_mtok),
        price("output_usd_per_mtok", e.output_usd_per_mtok)}) {
    if (!problem.empty()) return problem;
  }
  if (e.vendor.empty()) return id + ": vendor is empty";
  if (const auto it = json.find("aliases"); it != json.end()) {
    if (!it->is_array() || it->size() > 16) return id + ": aliases is a list of at most 16";
    for (const auto& alias : *it) {
      if (!alias.is_string() || alias.get_ref<const std::string&>().empty() ||
          alias.get_ref<const std::string&>().size() > 64) {
        return id + ": each alias is a string of 1 to 64 bytes";
      }
      e.aliases.push_back(alias.get<std::string>());
    }
  }
  return e;
}

std::vector<std::string> catalog_problems(const CatalogData& data) {
  std::vector<std::string> problems;
  std::set<std::string> ids;
  std::map<std::string, std::string> spelled;  // normalized spelling → the id that has it
  for (const auto& e : data.models) {
    if (!ids.insert(e.id).second) problems.push_back(e.id + ": listed twice");
  }
  for (const auto& e : data.models) {
    if (!e.cheaper.empty() && ids.count(e.cheaper) == 0) {
      problems.push_back(e.id + ": cheaper names " + e.cheaper + ", which the catalog lacks");
    }
    if (!e.fallback.empty() && ids.count(e.fallback) == 0) {
      problems.push_back(e.id + ": fallback names " + e.fallback + ", which the catalog lacks");
    }
    std::vector<std::string> spellings{normalize(e.id)};
    for (const auto& a : e.aliases) spellings.push_back(normalize(a));
    for (const auto& s : spellings) {
      const auto [it, fresh] = spelled.emplace(s, e.id);
      if (!fresh && it->second != e.id) {
        problems.push_back(e.id + ": the spelling " + s + " is already " + it->second + "'s");
      }
    }
  }
  if (data.models.empty()) problems.emplace_back("the catalog lists no model");
  return problems;
}

core::Result<CatalogData, std::string> parse_catalog(std::string_view json_text) {
  const auto json = nlohmann::json::parse(json_text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::string("not a JSON object");
  const auto models = json.find("models");
  if (models == json.end() || !models->is_array()) return std::string("\"models\" is not a list");
  if (models->size() > 1000) return std::string("more than 1000 models");
  CatalogData data;
  for (const auto& m : *models) {
    const auto id = m.is_object() && m.contains("id") && m["id"].is_string()
                        ? m["id"].get<std::string>()
                        : std::string();
    auto entry = parse_catalog_entry(id, m);
    if (!entry) return entry.error();
    data.models.push_back(std::move(entry.value()));
  }
  if (auto problems = catalog_problems(data); !problems.empty()) return problems.front();
  return data;
}

const CatalogData& builtin_catalog() {
  static const CatalogData data = [] {
    auto parsed = parse_catalog(detail::catalog_files().front().text);
    if (!parsed) throw std::logic_error("the compiled-in model catalog: " + parsed.error());
    return std::move(parsed.value());
  }();
  return data;
}

core::Result<CatalogData, std::string> read_catalog_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return path + ": cannot be read";
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 4 * 1024 * 1024) return path + ": larger than 4 MiB";
  auto parsed = parse_catalog(text.str());
  if (!parsed) return path + ": " + parsed.error();
  return parsed;
}

CatalogData with_entries(CatalogData base, const std::vector<CatalogEntry>& entries) {
  for (const auto& e : entries) {
    auto same = std::find_if(base.models.begin(), base.models.end(),
                             [&](const CatalogEntry& m) { return m.id == e.id; });
    if (same != base.models.end()) {
      *same = e;
    } else {
      base.models.push_back(e);
    }
  }
  return base;
}

void install_catalog(const CatalogData& data) {
  publish(build_snapshot(data));
}

CatalogData installed_catalog() {
  return current().data;
}

nlohmann::json to_json(const CatalogEntry& e) {
  return {{"id", e.id},
          {"vendor", e.vendor},
          {"family", e.family},
          {"input_usd_per_mtok", e.input_usd_per_mtok},
          {"output_usd_per_mtok", e.output_usd_per_mtok},
          {"cheaper", e.cheaper},
          {"fallback", e.fallback},
          {"checked", e.checked},
          {"aliases", e.aliases}};
}

}  // namespace netra::analytics
