# kubecert_add_plugin(NAME SOURCES...): a kubecert plugin shared library named
# kubecert-NAME.so that exports only the entry symbol (visibility hidden plus a
# linker version script), resolves all its symbols at link time (-z defs), and
# links the header-only SDK. Used by the in-tree plugins and installed for
# third parties.
set(_KUBECERT_PLUGIN_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")

function(kubecert_add_plugin name)
  set(target kubecert-${name})
  add_library(${target} MODULE ${ARGN})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "kubecert-${name}"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(TARGET kubecert::sdk)
    target_link_libraries(${target} PRIVATE kubecert::sdk)
  else()
    target_link_libraries(${target} PRIVATE kubecert-sdk)
  endif()
  target_link_options(${target} PRIVATE
    "LINKER:--version-script=${_KUBECERT_PLUGIN_CMAKE_DIR}/kubecert-plugin.map")
  # Under the sanitizers the plugin's __asan_*/__ubsan_* symbols come from the
  # executable's runtime when dlopened, so they cannot resolve at link time.
  if(NOT KUBECERT_SANITIZE AND NOT KUBECERT_FUZZ)
    target_link_options(${target} PRIVATE "LINKER:-z,defs")
  endif()
  if(DEFINED KUBECERT_PLUGIN_BUILD_DIR)  # in-tree: build tree mirrors the install tree
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${KUBECERT_PLUGIN_BUILD_DIR}")
    install(TARGETS ${target} LIBRARY DESTINATION "${KUBECERT_PLUGIN_INSTALL_DIR}" COMPONENT runtime)
  endif()
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${_KUBECERT_PLUGIN_CMAKE_DIR}/kubecert-plugin.map")
endfunction()
