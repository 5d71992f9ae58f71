// AdminToken: the secret that lets a request see what only operators should (the error texts of
// dependencies in /health: hosts, users, file paths), sent as `Authorization: Bearer <token>`.
#pragma once

#include <string>

#include "net/http_message.hpp"

namespace netra::net {

class AdminToken {
 public:
  // Empty: no request is an administrator's.
  explicit AdminToken(std::string token) : token_(std::move(token)) {}
  // Compared in constant time: the answer's timing says nothing about how much of it matched.
  bool admits(const HttpRequest& request) const;

 private:
  std::string token_;
};

}  // namespace netra::net
