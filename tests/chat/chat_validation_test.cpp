// The limits shared by the chat routes and the WebSocket channel, at their edges.
#include "chat/chat_validation.hpp"

#include <gtest/gtest.h>

#include "core/id.hpp"

namespace netra::chat {
namespace {

std::string repeat(std::string_view piece, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

TEST(ChatValidation, WellFormedUtf8IsAccepted) {
  for (const std::string& text : {
           std::string(""),
           std::string("plain ascii"),
           std::string("\xC2\x80"),          // U+0080
           std::string("\xDF\xBF"),          // U+07FF
           std::string("\xE0\xA0\x80"),      // U+0800
           std::string("\xED\x9F\xBF"),      // U+D7FF, just below the surrogates
           std::string("\xEE\x80\x80"),      // U+E000, just above them
           std::string("\xEF\xBF\xBF"),      // U+FFFF
           std::string("\xF0\x90\x80\x80"),  // U+10000
           std::string("\xF4\x8F\xBF\xBF"),  // U+10FFFF, the last code point
           std::string("€ 日本 🎉"),
       }) {
    EXPECT_TRUE(is_valid_utf8(text)) << testing::PrintToString(text);
  }
}

TEST(ChatValidation, MalformedUtf8IsRefused) {
  for (const std::string& text : {
           std::string("\x80"),              // a continuation byte with no lead
           std::string("a\xBF"),             // the same after text
           std::string("\xC0\xAF"),          // overlong '/'
           std::string("\xC1\xBF"),          // overlong
           std::string("\xE0\x80\xAF"),      // overlong, three bytes
           std::string("\xE0\x9F\xBF"),      // overlong U+07FF
           std::string("\xF0\x80\x80\xAF"),  // overlong, four bytes
           std::string("\xF0\x8F\xBF\xBF"),  // overlong U+FFFF
           std::string("\xED\xA0\x80"),      // U+D800, a surrogate
           std::string("\xED\xBF\xBF"),      // U+DFFF
           std::string("\xF4\x90\x80\x80"),  // U+110000, past the last code point
           std::string("\xF5\x80\x80\x80"),  // no lead byte above F4
           std::string("\xFF"),              //
           std::string("\xE2\x82"),          // truncated
           std::string("ok \xC3"),           // truncated at the end
           std::string("\xE2\x28\xA1"),      // a bad continuation
           std::string("\xF0\x9F\x8E\x41"),  // a bad last continuation
       }) {
    EXPECT_FALSE(is_valid_utf8(text)) << testing::PrintToString(text);
  }
}

TEST(ChatValidation, TitlesCountCodePointsNotBytes) {
  EXPECT_FALSE(check_title(""));
  EXPECT_FALSE(check_title(std::string(200, 'a')));
  EXPECT_FALSE(check_title(repeat("é", 200))) << "400 bytes, 200 characters";
  EXPECT_FALSE(check_title(repeat("🎉", 200))) << "800 bytes, 200 characters";
  auto too_long = check_title(repeat("é", 199) + "日本");
  ASSERT_TRUE(too_long) << "201 characters";
  EXPECT_EQ(too_long->field, "title");
  EXPECT_NE(too_long->reason.find("200"), std::string::npos) << too_long->reason;
  EXPECT_TRUE(check_title(std::string(201, 'a')));
  EXPECT_EQ(check_title("bad \xED\xA0\x80")->reason, "must be valid UTF-8");
  EXPECT_TRUE(check_title(std::string("a\0b", 3)));
  EXPECT_EQ(count_code_points("aé日🎉"), 4u);
}

TEST(ChatValidation, ContentIsOneByteTo32KiBOfUtf8) {
  EXPECT_FALSE(check_content("x"));
  EXPECT_FALSE(check_content(std::string(32 * 1024, 'x')));
  auto over = check_content(std::string(32 * 1024 + 1, 'x'));
  ASSERT_TRUE(over);
  EXPECT_EQ(over->field, "content");
  // The limit is in bytes: 32 KiB of two-byte characters is fine, one more byte is not.
  EXPECT_FALSE(check_content(repeat("é", 16 * 1024)));
  EXPECT_TRUE(check_content(repeat("é", 16 * 1024) + "x"));
  EXPECT_TRUE(check_content(""));
  EXPECT_TRUE(check_content("overlong \xC0\xAF"));
  EXPECT_TRUE(check_content(std::string("nul \0 inside", 12)));
  EXPECT_EQ(check_content("", "user_request")->field, "user_request");
}

TEST(ChatValidation, MetadataIsAnObjectOfAtMost8KiB) {
  EXPECT_FALSE(check_metadata(nlohmann::json::object()));
  EXPECT_FALSE(check_metadata({{"source", "web"}, {"tags", {"a", "b"}}}));
  for (const auto& not_object : {nlohmann::json::array(), nlohmann::json("text"),
                                 nlohmann::json(42), nlohmann::json(nullptr)}) {
    auto refused = check_metadata(not_object);
    ASSERT_TRUE(refused) << not_object.dump();
    EXPECT_EQ(refused->reason, "must be a JSON object");
  }
  // {"k":"…"} is 8 bytes around the value.
  nlohmann::json exactly = {{"k", std::string(8 * 1024 - 8, 'v')}};
  ASSERT_EQ(exactly.dump().size(), 8u * 1024);
  EXPECT_FALSE(check_metadata(exactly));
  nlohmann::json over = {{"k", std::string(8 * 1024 - 7, 'v')}};
  auto refused = check_metadata(over, "thread.metadata");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->field, "thread.metadata");
  nlohmann::json bad_string = {{"k", "\xC0\xAF"}};
  EXPECT_TRUE(check_metadata(bad_string)) << "a string that is not UTF-8 cannot be stored";
}

TEST(ChatValidation, IdsHaveTheShapeMakeIdGives) {
  for (int i = 0; i < 200; ++i) {
    EXPECT_FALSE(check_id(core::make_id("thr"), IdKind::thread, "thread_id"));
    EXPECT_FALSE(check_id(core::make_id("msg"), IdKind::message, "message_id"));
    EXPECT_FALSE(check_id(core::make_id("run"), IdKind::run, "run_id"));
  }
  const std::string good = "thr_" + std::string(21, 'a') + "w";
  EXPECT_FALSE(check_id(good, IdKind::thread, "thread_id"));
  for (const std::string& bad : {
           std::string(""), std::string("thr_"),
           "run_" + std::string(21, 'a') + "w",      // another kind's prefix
           "thr-" + std::string(21, 'a') + "w",      // separator
           "thr_" + std::string(20, 'a') + "w",      // 21 characters
           "thr_" + std::string(22, 'a') + "w",      // 23 characters
           "thr_" + std::string(20, 'a') + "+w",     // not base64url
           "thr_" + std::string(20, 'a') + "=w",     //
           "thr_" + std::string(21, 'a') + "b",      // more than 128 bits
           "thr_" + std::string(20, 'a') + "'; --",  //
           "THR_" + std::string(21, 'a') + "w",      //
       }) {
    auto refused = check_id(bad, IdKind::thread, "thread_id");
    ASSERT_TRUE(refused) << bad;
    EXPECT_EQ(refused->field, "thread_id");
  }
}

TEST(ChatValidation, PagesAndStepTypes) {
  EXPECT_FALSE(check_page(1, 0));
  EXPECT_FALSE(check_page(100, 1'000'000));
  EXPECT_EQ(check_page(0, 0)->field, "limit");
  EXPECT_EQ(check_page(101, 0)->field, "limit");
  EXPECT_EQ(check_page(10, -1)->field, "offset");
  EXPECT_FALSE(check_step_type("tool_call"));
  EXPECT_TRUE(check_step_type(""));
  EXPECT_TRUE(check_step_type(std::string(65, 't')));
}

}  // namespace
}  // namespace netra::chat
