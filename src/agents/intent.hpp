// Intent: what kind of answer a request wants — cost, latency, reliability, a usage report, a
// model choice, or a general question — decided by weighted cue words, the same way every time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netra::agents {

enum class Intent { cost, latency, reliability, usage_report, model_choice, general_question };
std::string_view to_string(Intent intent);
std::optional<Intent> parse_intent(std::string_view text);

struct IntentReading {
  Intent intent = Intent::general_question;
  std::vector<std::string> cues;  // the cue phrases found for the chosen intent, in table order
};

// Sums the weights of the cue phrases found as whole words (case-insensitive); naming two or
// more models leans towards model_choice. The highest sum wins; ties go to the more specific
// intent (model choice, cost, latency, reliability, usage report). No cue: general_question.
IntentReading classify_intent(std::string_view text, size_t models_named);

}  // namespace netra::agents
