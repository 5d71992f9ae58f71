#include "analytics/model_catalog.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace netra::analytics {
namespace {

// Public list prices in USD per million tokens, standard (non-batch) tier, as the vendors
// published them in late 2024; llama-3 at Groq's prices, the cheapest common host.
constexpr std::array kModels = {
    ModelInfo{"gpt-4o", "openai", 2.50, 10.00, "gpt-4o-mini", "claude-3-5-sonnet"},
    ModelInfo{"gpt-4o-mini", "openai", 0.15, 0.60, "", "claude-3-haiku"},
    ModelInfo{"gpt-4-turbo", "openai", 10.00, 30.00, "gpt-4o-mini", "claude-3-5-sonnet"},
    ModelInfo{"gpt-4", "openai", 30.00, 60.00, "gpt-4o-mini", "claude-3-5-sonnet"},
    ModelInfo{"gpt-3.5-turbo", "openai", 0.50, 1.50, "gpt-4o-mini", "claude-3-haiku"},
    ModelInfo{"claude-3-5-sonnet", "anthropic", 3.00, 15.00, "claude-3-haiku", "gpt-4o"},
    ModelInfo{"claude-3-5-haiku", "anthropic", 0.80, 4.00, "claude-3-haiku", "gpt-4o-mini"},
    ModelInfo{"claude-3-opus", "anthropic", 15.00, 75.00, "claude-3-haiku", "gpt-4o"},
    ModelInfo{"claude-3-haiku", "anthropic", 0.25, 1.25, "", "gpt-4o-mini"},
    ModelInfo{"gemini-1.5-pro", "google", 1.25, 5.00, "gemini-1.5-flash", "gpt-4o"},
    ModelInfo{"gemini-1.5-flash", "google", 0.075, 0.30, "", "gpt-4o-mini"},
    ModelInfo{"llama-3-70b", "meta", 0.59, 0.79, "llama-3-8b", "mistral-large"},
    ModelInfo{"llama-3-8b", "meta", 0.05, 0.08, "", "mistral-small"},
    ModelInfo{"mistral-large", "mistral", 2.00, 6.00, "mistral-small", "gpt-4o"},
    ModelInfo{"mistral-small", "mistral", 0.20, 0.60, "", "gpt-4o-mini"},
};

// Other spellings people and SDKs use, already normalized (see normalize).
struct Alias {
  std::string_view spelling;
  std::string_view model;
};
constexpr std::array kAliases = {
    Alias{"gpt4o", "gpt-4o"},
    Alias{"gpt4o-mini", "gpt-4o-mini"},
    Alias{"4o-mini", "gpt-4o-mini"},
    Alias{"gpt4-turbo", "gpt-4-turbo"},
    Alias{"gpt4", "gpt-4"},
    Alias{"gpt-35-turbo", "gpt-3.5-turbo"},  // Azure's deployment name
    Alias{"gpt3-5-turbo", "gpt-3.5-turbo"},
    Alias{"chatgpt-3-5", "gpt-3.5-turbo"},
    Alias{"claude-sonnet-3-5", "claude-3-5-sonnet"},
    Alias{"sonnet-3-5", "claude-3-5-sonnet"},
    Alias{"claude-haiku-3-5", "claude-3-5-haiku"},
    Alias{"claude-opus", "claude-3-opus"},
    Alias{"claude-haiku", "claude-3-haiku"},
    Alias{"llama3-70b", "llama-3-70b"},
    Alias{"llama-3-1-70b", "llama-3-70b"},
    Alias{"llama3-8b", "llama-3-8b"},
    Alias{"llama-3-1-8b", "llama-3-8b"},
};

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

const ModelInfo* by_name(std::string_view name) {
  for (const auto& m : kModels) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

struct Spelling {
  std::string text;  // normalized
  const ModelInfo* model;
};

// Every spelling, longest first, so the first that matches at a place is the longest.
const std::vector<Spelling>& spellings() {
  static const std::vector<Spelling> all = [] {
    std::vector<Spelling> out;
    for (const auto& m : kModels) out.push_back({normalize(m.name), &m});
    for (const auto& a : kAliases) out.push_back({std::string(a.spelling), by_name(a.model)});
    std::stable_sort(out.begin(), out.end(), [](const Spelling& a, const Spelling& b) {
      return a.text.size() > b.text.size();
    });
    return out;
  }();
  return all;
}

}  // namespace

std::span<const ModelInfo> known_models() {
  return kModels;
}

std::vector<const ModelInfo*> models_in_text(std::string_view text) {
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
    for (const auto& s : spellings()) {
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

double list_cost_usd(const ModelInfo& model, double input_tokens, double output_tokens) {
  return (input_tokens * model.input_usd_per_mtok + output_tokens * model.output_usd_per_mtok) /
         1e6;
}

}  // namespace netra::analytics
