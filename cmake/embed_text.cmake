# Writes OUTPUT: a C++ file defining `const std::string_view NAMESPACE::SYMBOL` with the text of
# INPUT, so the binary needs no file beside it. Run with cmake -P; declare the symbol where used.
file(READ "${INPUT}" text)
string(FIND "${text}" ")netra_text\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )netra_text\"")
endif()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by cmake/embed_text.cmake; do not edit.
#include <string_view>

namespace ${NAMESPACE} {

extern const std::string_view ${SYMBOL};
const std::string_view ${SYMBOL} = R\"netra_text(${text})netra_text\";

}  // namespace ${NAMESPACE}
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
