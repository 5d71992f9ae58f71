# Writes OUTPUT: a C++ file holding the /status page's files (status.html, status.css, status.js
# in PAGE_DIR) as StatusAssets, so the page needs no files beside the binary and no build step.
set(body "")
foreach(entry "status.html|/status|text/html; charset=utf-8"
              "status.css|/status/status.css|text/css; charset=utf-8"
              "status.js|/status/status.js|text/javascript; charset=utf-8")
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 file)
  list(GET parts 1 path)
  list(GET parts 2 type)
  file(READ "${PAGE_DIR}/${file}" text)
  string(FIND "${text}" ")netra_page\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )netra_page\"")
  endif()
  string(APPEND body "      {\"${path}\", \"${type}\", R\"netra_page(${text})netra_page\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from src/api/status_page by embed_status_page.cmake; do not edit.
#include \"api/status_routes.hpp\"

namespace netra::api {

const std::vector<StatusAsset>& status_assets() {
  static const std::vector<StatusAsset> assets = {
${body}  };
  return assets;
}

}  // namespace netra::api
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
