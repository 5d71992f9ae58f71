// The model catalog: every spelling people use finds the one model it means, the longest name
// wins, and the price table is consistent (a cheaper model is cheaper on both prices).
#include "analytics/model_catalog.hpp"

#include <gmock/gmock.h>

namespace netra::analytics {
namespace {

std::vector<std::string> names(const std::vector<const ModelInfo*>& models) {
  std::vector<std::string> out;
  for (const auto* m : models) out.emplace_back(m->name);
  return out;
}

struct TextCase {
  std::string text;
  std::vector<std::string> expected;
};

class ModelsInText : public ::testing::TestWithParam<TextCase> {};

TEST_P(ModelsInText, FindsEachNamedModelOnce) {
  EXPECT_EQ(names(models_in_text(GetParam().text)), GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Spellings, ModelsInText,
    ::testing::Values(
        TextCase{"should we move from gpt-4o to gpt-4o-mini?", {"gpt-4o", "gpt-4o-mini"}},
        TextCase{"GPT-4o mini is enough", {"gpt-4o-mini"}},
        TextCase{"compare Claude 3.5 Sonnet and claude-3-haiku",
                 {"claude-3-5-sonnet", "claude-3-haiku"}},
        TextCase{"our gpt-3.5-turbo and gpt-35-turbo deployments", {"gpt-3.5-turbo"}},
        TextCase{"gpt-4-turbo vs gpt-4", {"gpt-4-turbo", "gpt-4"}},
        TextCase{"Gemini 1.5 Pro or gemini-1.5-flash", {"gemini-1.5-pro", "gemini-1.5-flash"}},
        TextCase{"llama 3 70b and Mistral Large", {"llama-3-70b", "mistral-large"}},
        TextCase{"claude-3-opus.", {"claude-3-opus"}},
        TextCase{"gpt-4o-2024-08-06 in production", {"gpt-4o"}},
        TextCase{"xgpt-4o and gpt-4omega are not models", {}},
        TextCase{"how can I cut my LLM costs?", {}}));

TEST(FindModel, ReadsTheModelColumnInItsCommonForms) {
  ASSERT_NE(find_model("gpt-4o-2024-08-06"), nullptr);
  EXPECT_EQ(find_model("gpt-4o-2024-08-06")->name, "gpt-4o");
  EXPECT_EQ(find_model("openai/gpt-4o-mini")->name, "gpt-4o-mini");
  EXPECT_EQ(find_model("anthropic.claude-3-5-sonnet-20240620-v1:0")->name, "claude-3-5-sonnet");
  EXPECT_EQ(find_model("claude-3-haiku-20240307")->name, "claude-3-haiku");
  EXPECT_EQ(find_model("llama3-70b-8192")->name, "llama-3-70b");
  EXPECT_EQ(find_model("my-fine-tune"), nullptr);
  EXPECT_EQ(find_model(""), nullptr);
}

TEST(KnownModels, CheaperAndFallbackModelsAreKnownAndCheaperIsCheaper) {
  for (const auto& m : known_models()) {
    SCOPED_TRACE(std::string(m.name));
    EXPECT_GT(m.input_usd_per_mtok, 0);
    EXPECT_GT(m.output_usd_per_mtok, 0);
    EXPECT_EQ(find_model(m.name), &m);
    if (!m.cheaper.empty()) {
      const auto* cheaper = find_model(m.cheaper);
      ASSERT_NE(cheaper, nullptr);
      EXPECT_EQ(cheaper->vendor, m.vendor);
      EXPECT_LT(cheaper->input_usd_per_mtok, m.input_usd_per_mtok);
      EXPECT_LT(cheaper->output_usd_per_mtok, m.output_usd_per_mtok);
    }
    const auto* fallback = find_model(m.fallback);
    ASSERT_NE(fallback, nullptr);
    EXPECT_NE(fallback->vendor, m.vendor);
  }
}

TEST(ListCost, IsPricePerMillionTokens) {
  const auto* m = find_model("gpt-4o");
  ASSERT_NE(m, nullptr);
  // 2M input at $2.50/M and 500k output at $10/M.
  EXPECT_DOUBLE_EQ(list_cost_usd(*m, 2'000'000, 500'000), 5.0 + 5.0);
}

TEST(CatalogData, TheCompiledInCatalogIsCheckedAndDated) {
  const auto& builtin = builtin_catalog();
  EXPECT_TRUE(catalog_problems(builtin).empty());
  for (const auto& m : known_models()) {
    SCOPED_TRACE(std::string(m.name));
    EXPECT_FALSE(m.checked.empty());
    EXPECT_FALSE(m.family.empty());
  }
  EXPECT_NE(find_model("gpt-5-mini"), nullptr);
  EXPECT_EQ(find_model("claude-sonnet-4-5-20250929")->name, "claude-sonnet-4-5");
  EXPECT_EQ(find_model("gemini-2.5-flash-lite")->name, "gemini-2.5-flash-lite");
}

TEST(CatalogData, EachWrongEntryIsRefusedWithWhatIsWrong) {
  const auto error = [](std::string_view text) {
    auto parsed = parse_catalog(text);
    return parsed ? std::string("accepted") : parsed.error();
  };
  const std::string one =
      R"({"id":"m-1","vendor":"acme","input_usd_per_mtok":1,"output_usd_per_mtok":2})";
  EXPECT_EQ(error(R"({"models":[)" + one + "]}"), "accepted");
  EXPECT_EQ(error(R"({"models":[)" + one + "," + one + "]}"), "m-1: listed twice");
  EXPECT_EQ(error(R"({"models":[{"id":"M 1","vendor":"a","input_usd_per_mtok":1,)"
                  R"("output_usd_per_mtok":1}]})"),
            "a model id is 1 to 64 of a-z, 0-9, '.' and '-': \"M 1\"");
  EXPECT_EQ(error(R"({"models":[{"id":"m","vendor":"a","input_usd_per_mtok":-1,)"
                  R"("output_usd_per_mtok":1}]})"),
            "m: input_usd_per_mtok is from 0 to 10000 (USD per million tokens)");
  EXPECT_EQ(error(R"({"models":[{"id":"m","vendor":"a","input_usd_per_mtok":1,)"
                  R"("output_usd_per_mtok":1,"cheaper":"nope"}]})"),
            "m: cheaper names nope, which the catalog lacks");
  EXPECT_EQ(error(R"({"models":[{"id":"m","input_usd_per_mtok":1,"output_usd_per_mtok":1}]})"),
            "m: vendor is required");
  EXPECT_EQ(error(R"({"models":[)" + one +
                  R"(,{"id":"m-2","vendor":"a","input_usd_per_mtok":1,"output_usd_per_mtok":1,)"
                  R"("aliases":["M 1"]}]})"),
            "m-2: the spelling m-1 is already m-1's");
  EXPECT_EQ(error("[]"), "not a JSON object");
  EXPECT_EQ(error(R"({"models":[]})"), "the catalog lists no model");
}

TEST(CatalogData, AnInstalledCatalogIsWhatLookupsReadAndTheOldOneStaysValid) {
  const auto* before = find_model("gpt-4o");
  ASSERT_NE(before, nullptr);
  auto changed = builtin_catalog();
  for (auto& e : changed.models) {
    if (e.id == "gpt-4o") e.input_usd_per_mtok = 2.0;
  }
  CatalogEntry added;
  added.id = "acme-llm-1";
  added.vendor = "acme";
  added.input_usd_per_mtok = 0.5;
  added.output_usd_per_mtok = 1.5;
  added.aliases = {"acme llm one"};
  changed = with_entries(std::move(changed), {added});
  ASSERT_TRUE(catalog_problems(changed).empty());
  install_catalog(changed);
  EXPECT_DOUBLE_EQ(find_model("gpt-4o")->input_usd_per_mtok, 2.0);
  EXPECT_EQ(find_model("Acme LLM One")->name, "acme-llm-1");
  // What a caller found before the change is still there to read.
  EXPECT_DOUBLE_EQ(before->input_usd_per_mtok, 2.5);
  install_catalog(builtin_catalog());
  EXPECT_DOUBLE_EQ(find_model("gpt-4o")->input_usd_per_mtok, 2.5);
  EXPECT_EQ(find_model("acme-llm-1"), nullptr);
}

}  // namespace
}  // namespace netra::analytics
