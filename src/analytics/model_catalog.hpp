// ModelCatalog: the language models Netra knows by name — vendor, family, public list prices per
// million tokens (what the demo workload bills and the agents price alternatives with) and the
// date they were checked, the cheaper model of the same vendor and another vendor's stand-in.
//
// The catalog is data: analytics/model_catalog.json is compiled in, agents.catalog_file replaces
// it, and an administrator's entries (PUT /api/catalog/models/{id}) are laid over it. The
// installed catalog is one immutable snapshot, swapped whole: what a caller found stays valid for
// at least kRetiredCatalogLifetime after a newer one is installed, far longer than any one
// computation holds it (a run's analysis takes milliseconds).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace netra::analytics {

// A view of one model in the installed catalog.
struct ModelInfo {
  std::string_view name;    // canonical, as the vendor spells it ("gpt-4o")
  std::string_view vendor;  // "openai", "anthropic", "google", "meta", "mistral"
  double input_usd_per_mtok = 0;
  double output_usd_per_mtok = 0;
  // The same vendor's cheaper model that handles short, simple requests well; empty: none.
  std::string_view cheaper;
  // Another vendor's model of like quality, to fall back on while this one fails.
  std::string_view fallback;
  std::string_view family;   // "gpt-4o", "claude-sonnet"
  std::string_view checked;  // when the prices were checked: "2025-08-07"
};

// One entry as the catalog's JSON holds it.
struct CatalogEntry {
  std::string id;
  std::string vendor;
  std::string family;
  double input_usd_per_mtok = 0;
  double output_usd_per_mtok = 0;
  std::string cheaper;
  std::string fallback;
  std::string checked;
  std::vector<std::string> aliases;  // other spellings ("gpt4o")
};

struct CatalogData {
  std::vector<CatalogEntry> models;
};

inline constexpr auto kRetiredCatalogLifetime = std::chrono::minutes(10);

// Every model the installed catalog knows, in its order.
std::span<const ModelInfo> known_models();

// The known models named in free text, in order of first mention, each once. Spellings vary
// ("GPT-4o mini", "claude 3.5 sonnet", "gpt-35-turbo"); the longest name at a place wins, so
// "gpt-4o-mini" is never also "gpt-4o".
std::vector<const ModelInfo*> models_in_text(std::string_view text);

// The model an analytics `model` value names — canonical, dated ("gpt-4o-2024-08-06"), or behind
// a vendor prefix ("openai/gpt-4o"); nullptr when unknown.
const ModelInfo* find_model(std::string_view name);

// The catalog's name for a model the data spells its own way ("gpt-4o-2024-08-06" → "gpt-4o"),
// or the spelling itself when the catalog does not know it.
std::string canonical_model_name(std::string_view model);

// What `input_tokens` and `output_tokens` cost at the model's list prices.
double list_cost_usd(const ModelInfo& model, double input_tokens, double output_tokens);

// Reads and checks a catalog: ids unique and spelled [a-z0-9.-], a vendor, finite prices from 0
// to 10,000 per million tokens, `cheaper` and `fallback` empty or ids of the catalog, no spelling
// claimed twice. The error names the entry and what is wrong.
core::Result<CatalogData, std::string> parse_catalog(std::string_view json_text);
core::Result<CatalogEntry, std::string> parse_catalog_entry(const std::string& id,
                                                            const nlohmann::json& json);
// The same checks on data already read (an entry laid over a catalog).
std::vector<std::string> catalog_problems(const CatalogData& data);

// The catalog compiled into the binary.
const CatalogData& builtin_catalog();
// Reads a catalog file (agents.catalog_file); the error says which file and why.
core::Result<CatalogData, std::string> read_catalog_file(const std::string& path);

// `base` with `entries` laid over it: an entry replaces the one with its id, or is added.
CatalogData with_entries(CatalogData base, const std::vector<CatalogEntry>& entries);

// Installs `data` (checked) as the catalog every lookup reads from now on. Thread-safe.
void install_catalog(const CatalogData& data);
// The installed catalog's data.
CatalogData installed_catalog();

nlohmann::json to_json(const CatalogEntry& entry);

}  // namespace netra::analytics
