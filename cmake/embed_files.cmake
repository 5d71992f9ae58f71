# Writes OUTPUT: a C++ file defining `const std::vector<netra::core::EmbeddedFile>&
# NAMESPACE::FUNCTION()`, the name and text of every file of DIR matching PATTERN (a glob), sorted
# by name, so that the binary needs no file beside it. Run with cmake -P (netra_embed_files in
# cmake/netra_embed.cmake does); declare the function where it is used.
file(GLOB files "${DIR}/${PATTERN}")
list(SORT files)
if(NOT files)
  message(FATAL_ERROR "no file matches ${DIR}/${PATTERN}")
endif()
set(body "")
foreach(file ${files})
  get_filename_component(name "${file}" NAME)
  file(READ "${file}" text)
  # The text goes in a raw string literal: a file holding its delimiter would end it early.
  string(FIND "${text}" ")netra_file\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )netra_file\"")
  endif()
  string(APPEND body "      {\"${name}\", R\"netra_file(${text})netra_file\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${DIR}/${PATTERN} by cmake/embed_files.cmake; do not edit.
#include <vector>

#include \"core/embedded_file.hpp\"

namespace ${NAMESPACE} {

const std::vector<netra::core::EmbeddedFile>& ${FUNCTION}() {
  static const std::vector<netra::core::EmbeddedFile> files = {
${body}  };
  return files;
}

}  // namespace ${NAMESPACE}
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
