# NETRA_STATIC_C_LIBS (on in the release preset): the C libraries Debian ships as archives too —
# SQLite, libsodium, nettle and hogweed over GMP, hiredis, and jemalloc — are linked into the
# binary instead of being mapped and relocated by the dynamic loader at every exec. Measured on
# the release build (2026-12-07, bench/startup_time.sh and an alternating ad hoc loop): a restart
# 1.8 ms sooner (seven fewer objects to load) and 1.1-1.5 MiB less resident memory (their pages
# laid out by Debian, each with its own relocated data). The price: a security update of one of
# them reaches netra when netra is relinked. The archives are inputs of the link, so the next
# build after `apt-get upgrade` (scripts/run builds first) relinks on its own.

# The archive of library `name` (lib<name>.a) in `out`.
function(netra_find_archive out name)
  find_library(archive NAMES lib${name}.a NO_CACHE)
  if(NOT archive)
    message(FATAL_ERROR "NETRA_STATIC_C_LIBS: no lib${name}.a (its Debian -dev package holds it)")
  endif()
  set(${out} ${archive} PARENT_SCOPE)
endfunction()

# Points the imported targets the libraries link through at their archives.
function(netra_use_static_c_libraries)
  netra_find_archive(sodium sodium)
  netra_find_archive(hogweed hogweed)
  netra_find_archive(nettle nettle)
  netra_find_archive(gmp gmp)
  netra_find_archive(hiredis hiredis)
  netra_find_archive(sqlite sqlite3)
  set_target_properties(PkgConfig::SODIUM PROPERTIES
    INTERFACE_LINK_LIBRARIES "${sodium};Threads::Threads")
  # In this order: hogweed calls nettle, both call GMP.
  set_target_properties(PkgConfig::NETTLE PROPERTIES
    INTERFACE_LINK_LIBRARIES "${hogweed};${nettle};${gmp}")
  set_target_properties(PkgConfig::HIREDIS PROPERTIES INTERFACE_LINK_LIBRARIES "${hiredis}")
  set_target_properties(SQLite::SQLite3 PROPERTIES
    IMPORTED_LOCATION "${sqlite}" INTERFACE_LINK_LIBRARIES "m;${CMAKE_DL_LIBS};Threads::Threads")
endfunction()

# jemalloc's position-independent archive (the binary is a PIE) for target `executable`.
function(netra_link_static_jemalloc executable)
  netra_find_archive(jemalloc jemalloc_pic)
  target_link_libraries(${executable} PRIVATE ${jemalloc} m ${CMAKE_DL_LIBS} Threads::Threads)
endfunction()
