# cmake -DKUBECERT=... -DMAN=... -DCOMPLETION=... -DGZIP=... -P GenerateDocs.cmake
# Runs the built kubecert, with only the plugins built next to it, to write
# the manual page (and its gzip -9n copy for installing) and the bash
# completion: the same descriptions --help prints, so they cannot disagree.
unset(ENV{KUBECERT_PLUGIN_PATH})
foreach(kind man bash)
  if(kind STREQUAL "man")
    set(out "${MAN}")
  else()
    set(out "${COMPLETION}")
  endif()
  get_filename_component(dir "${out}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  execute_process(COMMAND "${KUBECERT}" --help-format ${kind} OUTPUT_FILE "${out}.tmp"
    ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "kubecert --help-format ${kind} failed (${rc}): ${err}")
  endif()
  file(RENAME "${out}.tmp" "${out}")
endforeach()
# -n: no name or time stamp in the header, so the package builds reproducibly.
execute_process(COMMAND "${GZIP}" -9nkf "${MAN}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${MAN} failed")
endif()
