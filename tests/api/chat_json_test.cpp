// Threads as clients see them: the metadata the store keeps as text is shown as the object it
// holds, written as the store wrote it (nlohmann's sorted keys and escapes), and text that is not
// JSON is an error rather than a thread shown with something else. A page, a thread's text and
// its document show the same thread.
#include "api/chat_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

namespace netra::api {
namespace {

chat::Thread thread_with(std::string metadata_json) {
  chat::Thread t;
  t.id = "thr_a";
  t.owner_id = "usr_a";
  t.title = "costs";
  t.metadata_json = std::move(metadata_json);
  t.created_at = 1'717'243'200'250;
  t.updated_at = 1'717'243'201'000;
  t.message_count = 3;
  return t;
}

TEST(ChatJson, AThreadsMetadataIsShownAsTheStoreWroteIt) {
  const nlohmann::json metadata = nlohmann::json::parse(R"({
    "b": [1, -2, 18446744073709551615, true, false, null, "x\u0001\"\\é"],
    "a": {"z": {}, "y": []},
    "c": "text"
  })");
  const auto shown = thread_text(thread_with(metadata.dump()));
  EXPECT_EQ(shown, R"({"created_at":1717243200,"id":"thr_a","message_count":3,"metadata":)" +
                       metadata.dump() +
                       R"(,"object":"thread","title":"costs","updated_at":1717243201})");
}

TEST(ChatJson, ADoubleInMetadataReadsBackEqual) {
  const nlohmann::json metadata{{"saving", 19.6}, {"tiny", 1e-7}, {"exact", 0.30000000000000004}};
  const auto thread = thread_with(metadata.dump());
  EXPECT_EQ(nlohmann::json::parse(thread_text(thread))["metadata"], metadata);
  EXPECT_EQ(nlohmann::json::parse(boost::json::serialize(thread_json(thread)))["metadata"],
            metadata);
}

TEST(ChatJson, ATitleAndAnIdAreEscaped) {
  auto thread = thread_with("{}");
  thread.title = "say \"hi\"\n\\ é";
  thread.id = "thr_\"";
  const auto shown = nlohmann::json::parse(thread_text(thread));
  EXPECT_EQ(shown["title"], *thread.title);
  EXPECT_EQ(shown["id"], thread.id);
  thread.title.reset();
  EXPECT_TRUE(nlohmann::json::parse(thread_text(thread))["title"].is_null());
}

TEST(ChatJson, APageATextAndADocumentShowTheSameThreads) {
  const std::vector<chat::Thread> threads{thread_with("{}"),
                                          thread_with(R"({"n":[1,{"m":null}]})")};
  const auto page = boost::json::parse(thread_page_json(threads));
  ASSERT_EQ(page.as_array().size(), 2u);
  for (size_t i = 0; i < threads.size(); ++i) {
    EXPECT_EQ(page.at(i), boost::json::parse(thread_text(threads[i])));
    EXPECT_EQ(page.at(i), thread_json(threads[i]));
  }
  EXPECT_EQ(thread_page_json({}), "[]");
}

TEST(ChatJson, APageIsAnArrayOfThreads) {
  const auto page = boost::json::parse(
      thread_page_json({thread_with("{}"), thread_with(R"({"workload": "support-bot"})")}));
  ASSERT_EQ(page.as_array().size(), 2u);
  EXPECT_EQ(page.at(0).at("metadata"), boost::json::object());
  EXPECT_EQ(page.at(1).at("metadata").at("workload"), "support-bot");
}

TEST(ChatJson, StoredMetadataThatIsNotJsonIsAnError) {
  EXPECT_THROW(thread_json(thread_with(R"({"cut":)")), std::runtime_error);
  EXPECT_THROW(thread_text(thread_with(R"({"a":1} trailing)")), std::runtime_error);
  EXPECT_THROW(thread_page_json({thread_with("{}"), thread_with("not json")}), std::runtime_error);
}

}  // namespace
}  // namespace netra::api
