// ModelCatalog: the language models Netra knows by name — vendor, public list prices per million
// tokens (what the demo workload bills and the agents price alternatives with), the cheaper model
// of the same family and another vendor's stand-in.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netra::analytics {

struct ModelInfo {
  std::string_view name;    // canonical, as the vendor spells it ("gpt-4o")
  std::string_view vendor;  // "openai", "anthropic", "google", "meta", "mistral"
  double input_usd_per_mtok = 0;
  double output_usd_per_mtok = 0;
  // The same vendor's cheaper model that handles short, simple requests well; empty: none.
  std::string_view cheaper;
  // Another vendor's model of like quality, to fall back on while this one fails.
  std::string_view fallback;
};

// Every model the catalog knows, in a fixed order.
std::span<const ModelInfo> known_models();

// The known models named in free text, in order of first mention, each once. Spellings vary
// ("GPT-4o mini", "claude 3.5 sonnet", "gpt-35-turbo"); the longest name at a place wins, so
// "gpt-4o-mini" is never also "gpt-4o".
std::vector<const ModelInfo*> models_in_text(std::string_view text);

// The model an analytics `model` value names — canonical, dated ("gpt-4o-2024-08-06"), or behind
// a vendor prefix ("openai/gpt-4o"); nullptr when unknown.
const ModelInfo* find_model(std::string_view name);

// What `input_tokens` and `output_tokens` cost at the model's list prices.
double list_cost_usd(const ModelInfo& model, double input_tokens, double output_tokens);

}  // namespace netra::analytics
