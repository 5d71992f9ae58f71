// net::append_json_string and net::is_json: strings written for a JSON text read back as the same
// string by a parser, however long or however many characters need escaping; and a text is JSON
// exactly when a parser reads all of it.
#include "net/json_write.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "net/json_parse.hpp"

namespace netra::net {
namespace {

std::string written(std::string_view text) {
  std::string out = "[";
  append_json_string(out, text);
  out += ']';
  return out;
}

std::string read_back(const std::string& json) {
  return std::string(boost::json::parse(json).as_array().at(0).as_string());
}

TEST(AppendJsonString, QuotesBackslashesAndControlCharactersAreEscaped) {
  EXPECT_EQ(written("plain"), R"(["plain"])");
  EXPECT_EQ(written("a\"b\\c"), R"(["a\"b\\c"])");
  EXPECT_EQ(written(std::string("\n\t\x01\x1f", 4)), R"(["\n\t\u0001\u001f"])");
  EXPECT_EQ(written("é ✓ /"), "[\"é ✓ /\"]");  // UTF-8 and '/' as they are
  EXPECT_EQ(written(""), R"([""])");
}

TEST(AppendJsonString, AnyStringReadsBackTheSameFromAnotherParser) {
  std::mt19937 random(20261207);
  for (int i = 0; i < 2'000; ++i) {
    // Lengths past the writer's buffer, and many characters that grow six-fold when escaped.
    std::string text(std::uniform_int_distribution<size_t>(0, 3'000)(random), ' ');
    for (auto& c : text) {
      c = static_cast<char>(std::uniform_int_distribution<int>(0, 0x7f)(random));
    }
    const auto json = written(text);
    ASSERT_EQ(read_back(json), text);
    ASSERT_EQ(nlohmann::json::parse(json).at(0).get<std::string>(), text);
  }
}

TEST(AppendJsonString, AppendsAfterWhatIsAlreadyThere) {
  std::string out = R"({"k":)";
  append_json_string(out, std::string(2'000, '"'));
  out += '}';
  EXPECT_EQ(boost::json::parse(out).at("k").as_string().size(), 2'000u);
}

TEST(IsJson, OneWholeValueIsJson) {
  for (const char* text : {"{}", R"({"n":1,"a":[1.5,-2,"x",true,null]})", " [] ", "3", R"("s")"}) {
    EXPECT_TRUE(is_json(text)) << text;
  }
}

TEST(IsJson, CutExtraOrMalformedTextIsNot) {
  for (const char* text : {"", R"({"cut":)", "not json", "{} {}", "{}x", "[1,]", "{'a':1}",
                           "\"\xff\"", "[1] // note"}) {
    EXPECT_FALSE(is_json(text)) << text;
  }
}

}  // namespace
}  // namespace netra::net
