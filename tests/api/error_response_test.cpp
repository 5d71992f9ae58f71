// The one mapping of the layers' error types to HTTP answers.
#include "api/error_response.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace netra::api {
namespace {

TEST(ErrorResponse, MapsEachDatabaseErrorToItsStatus) {
  using db::DbErrorCode;
  auto busy = error_response({DbErrorCode::busy, "no connection free within 5000 ms"}, "rid1");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(nlohmann::json::parse(busy.body)["error"]["code"], "database_busy");
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].first, "Retry-After");
  EXPECT_EQ(error_response({DbErrorCode::unavailable, "x"}, "r").status, 503);
  EXPECT_EQ(error_response({DbErrorCode::timeout, "x"}, "r").status, 504);
  EXPECT_EQ(error_response({DbErrorCode::constraint, "x"}, "r").status, 409);
  auto bug = error_response({DbErrorCode::invalid, "syntax error at or near SELEC"}, "rid9");
  EXPECT_EQ(bug.status, 500);
  EXPECT_EQ(bug.body.find("SELEC"), std::string::npos) << "statement details stay in the log";
  EXPECT_NE(bug.body.find("rid9"), std::string::npos);
}

TEST(ErrorResponse, ChatErrorsMapToStatusesAndDatabaseErrorsThroughTheirOwnMapping) {
  EXPECT_EQ(error_response(chat::ChatError::not_found("no such thread"), "r").status, 404);
  chat::ChatError invalid{
      chat::ChatErrorCode::invalid, "title", "title must be 1 to 200 characters", {}};
  auto bad = error_response(invalid, "r");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad.body)["error"]["fields"]["title"],
            "must be 1 to 200 characters");
  auto busy = chat::ChatError::database({db::DbErrorCode::busy, "no connection free"});
  EXPECT_EQ(error_response(busy, "r").status, 503);
}

TEST(ErrorResponse, AuthErrorsMapToStatusesAndABugNamesOnlyTheRequestId) {
  auto status = [](auth::AuthErrorCode code) {
    return error_response(auth::AuthError{code, "m", ""}, "rid7").status;
  };
  EXPECT_EQ(status(auth::AuthErrorCode::invalid_request), 400);
  EXPECT_EQ(status(auth::AuthErrorCode::email_taken), 409);
  EXPECT_EQ(status(auth::AuthErrorCode::invalid_credentials), 401);
  EXPECT_EQ(status(auth::AuthErrorCode::invalid_token), 401);
  EXPECT_EQ(status(auth::AuthErrorCode::unavailable), 503);
  EXPECT_EQ(status(auth::AuthErrorCode::busy), 503);
}

}  // namespace
}  // namespace netra::api
