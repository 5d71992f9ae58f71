// libpq, loaded with dlopen when PostgreSQL is first used instead of linked into the binary. The
// embedded default (SQLite) never touches PostgreSQL, and libpq brings about twenty libraries
// (Kerberos, LDAP, SASL, GnuTLS, p11-kit...) that cost every process 3.4 MiB of resident memory
// and the work of their constructors at exec. Only libpq's functions go through here; its types
// and constants come from its header as before.
#pragma once

#include <libpq-fe.h>

#include <string>

#include "core/shared_library.hpp"

namespace netra::db::detail {

// Every libpq function the drivers call, by name.
// clang-format off
#define NETRA_LIBPQ_FUNCTIONS(X) \
  X(PQclear) \
  X(PQcmdTuples) \
  X(PQconnectPoll) \
  X(PQconnectStart) \
  X(PQconninfoFree) \
  X(PQconninfoParse) \
  X(PQconsumeInput) \
  X(PQerrorMessage) \
  X(PQfinish) \
  X(PQflush) \
  X(PQfname) \
  X(PQfreemem) \
  X(PQgetisnull) \
  X(PQgetlength) \
  X(PQgetResult) \
  X(PQgetvalue) \
  X(PQisBusy) \
  X(PQnfields) \
  X(PQntuples) \
  X(PQresultErrorField) \
  X(PQresultErrorMessage) \
  X(PQresultStatus) \
  X(PQsendPrepare) \
  X(PQsendQueryParams) \
  X(PQsendQueryPrepared) \
  X(PQsetNoticeProcessor) \
  X(PQsetnonblocking) \
  X(PQsocket) \
  X(PQstatus)
// clang-format on

struct Libpq {
  NETRA_ON_DEMAND_FUNCTIONS(NETRA_LIBPQ_FUNCTIONS)
};

// Loads libpq.so.5 once (thread-safe): the functions, or nullptr with `error` saying why (the
// library is missing or lacks a function). Cheap after the first call.
const Libpq* load_libpq(std::string& error);

// The loaded functions; only after load_libpq succeeded (a driver connects only then).
const Libpq& pq();

}  // namespace netra::db::detail
