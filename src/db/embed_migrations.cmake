# Writes OUTPUT: a C++ file holding every migrations/NNNN_name.sql as a Migration, by version.
file(GLOB files "${MIGRATIONS_DIR}/*.sql")
list(SORT files)
set(body "")
foreach(file ${files})
  get_filename_component(name "${file}" NAME_WE)
  string(REGEX MATCH "^[0-9]+" version "${name}")
  math(EXPR version "${version} + 0")
  file(READ "${file}" sql)
  string(APPEND body "      {${version}, \"${name}\", R\"netra_sql(${sql})netra_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from src/db/migrations by embed_migrations.cmake; do not edit.
#include \"db/migrations.hpp\"

namespace netra::db {

const std::vector<Migration>& embedded_migrations() {
  static const std::vector<Migration> migrations = {
${body}  };
  return migrations;
}

}  // namespace netra::db
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
