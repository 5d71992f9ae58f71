# netra_embed_files(VAR DIR PATTERN NAMESPACE FUNCTION): compiles the files of DIR matching PATTERN
# into the binary (cmake/embed_files.cmake), regenerated when one changes, is added or is removed;
# VAR names the generated source, to list in a target.
set(NETRA_EMBED_FILES_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_files.cmake)
function(netra_embed_files var dir pattern namespace function)
  file(GLOB inputs CONFIGURE_DEPENDS "${dir}/${pattern}")
  set(output ${CMAKE_CURRENT_BINARY_DIR}/generated/embedded/${function}.cpp)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -DPATTERN=${pattern} -DOUTPUT=${output}
            -DNAMESPACE=${namespace} -DFUNCTION=${function} -P ${NETRA_EMBED_FILES_SCRIPT}
    DEPENDS ${inputs} ${NETRA_EMBED_FILES_SCRIPT}
    COMMENT "Embedding ${dir}/${pattern}"
    VERBATIM)
  set(${var} ${output} PARENT_SCOPE)
endfunction()
