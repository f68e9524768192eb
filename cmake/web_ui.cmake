# The web UI (docs/ui.md) is embedded in the binary: every file of web/dist
# becomes a byte array in a generated ui_assets.cc (see embed_web_ui.cmake).
# When web/dist is absent (no node at build time) the list is empty and the
# server answers GET / with a "UI not built" page.
function(spanlake_embed_web_ui target)
  set(dist "${PROJECT_SOURCE_DIR}/web/dist")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/ui_assets.cc")
  # CONFIGURE_DEPENDS: a new vite build (new hashed names) re-globs at build time.
  file(GLOB_RECURSE files CONFIGURE_DEPENDS "${dist}/*")
  add_custom_command(OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" "-DDIST=${dist}" "-DOUT=${out}"
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_web_ui.cmake"
    DEPENDS ${files} "${PROJECT_SOURCE_DIR}/cmake/embed_web_ui.cmake"
    COMMENT "Embedding web/dist into ui_assets.cc" VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
