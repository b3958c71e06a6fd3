# `install` rules and the exported CMake package. What is installed is what is usable: every header
# installed belongs to a library or program installed with it.
#
#   cmake --install <build> --prefix <p>                               # everything
#   cmake --install <build> --prefix <p> --component conkit_conformance  # only the suites' kit
#
# Install components (cmake --install --component) and find_package components:
#   conkit_conformance  conformance       conkit::conformance (adapter concepts, typed suites,
#                                         completion helper: headers), conkit::conformance_worker,
#                                         conkit_add_executor(); needs GoogleTest and Threads only
#                       reference_pools   conkit::reference_pools (reference thread/process pool);
#                                         needs Boost (Asio, Process v2, filesystem) as well
#   conkit_harness      harness           conkit::harness (runner, parser, grader, reports, claims:
#                                         library + headers), the `conkit` CLI (conkit::cli),
#                                         conkit::facts; needs Boost, fmt, nlohmann_json
#   conkit_data         -                 shipped cases, expected files, claims registry, docs
# find_package(conkit) without COMPONENTS asks for conformance and reference_pools.
# conkit::flags (exported with conformance) carries the sanitizer this conkit was built with: a
# program linking one of its static libraries needs it as well.

# The build tree mirrors the installed layout where the CLI looks for its data (conkit/paths.hpp):
# build/share/conkit/expected/claims.json, re-copied whenever the source changes.
configure_file("${PROJECT_SOURCE_DIR}/expected/claims.json" "${PROJECT_BINARY_DIR}/share/conkit/expected/claims.json"
               COPYONLY)

if(NOT TARGET conkit_conformance OR NOT TARGET conkit_reference_pools)
  return()
endif()
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(conkit_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/conkit")
set(conkit_headers "${PROJECT_SOURCE_DIR}/harness/include/conkit")

set_target_properties(conkit_conformance PROPERTIES EXPORT_NAME conformance)
set_target_properties(conkit_reference_pools PROPERTIES EXPORT_NAME reference_pools)
set_target_properties(conkit_conformance_worker PROPERTIES EXPORT_NAME conformance_worker)
set_target_properties(conkit_flags PROPERTIES EXPORT_NAME flags)

# -- conformance: the suites' kit ------------------------------------------------------------------
# The worker path compiled into users' suites assumes bin/ (see harness/conformance/CMakeLists.txt).
install(TARGETS conkit_conformance conkit_conformance_worker conkit_flags EXPORT conkitConformanceTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT conkit_conformance
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${conkit_headers}/conformance" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/conkit
  COMPONENT conkit_conformance FILES_MATCHING PATTERN "*.hpp")
install(EXPORT conkitConformanceTargets NAMESPACE conkit:: DESTINATION ${conkit_cmake_dir}
  COMPONENT conkit_conformance)

install(TARGETS conkit_reference_pools EXPORT conkitReferencePoolsTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT conkit_conformance)
install(FILES "${PROJECT_SOURCE_DIR}/harness/conformance/reference_thread_pool.hpp"
              "${PROJECT_SOURCE_DIR}/harness/conformance/reference_process_pool.hpp"
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/conkit/reference COMPONENT conkit_conformance)
install(EXPORT conkitReferencePoolsTargets NAMESPACE conkit:: DESTINATION ${conkit_cmake_dir}
  COMPONENT conkit_conformance)

# -- harness: the library and the CLI --------------------------------------------------------------
if(TARGET conkit_harness AND TARGET conkit_cli)
  set_target_properties(conkit_harness PROPERTIES EXPORT_NAME harness)
  set_target_properties(conkit_cli PROPERTIES EXPORT_NAME cli)
  set_target_properties(conkit_facts PROPERTIES EXPORT_NAME facts)
  install(TARGETS conkit_harness conkit_cli conkit_facts EXPORT conkitHarnessTargets
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT conkit_harness
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT conkit_harness
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  # conkit-init runs every case (pid 1 of its PID namespace, or its subreaper): next to conkit,
  # where the runner looks first (find_init_program). A program, not part of the CMake package.
  install(TARGETS conkit_init RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT conkit_harness)
  # The harness library's public headers (the private ones live under harness/src).
  install(DIRECTORY "${conkit_headers}/" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/conkit
    COMPONENT conkit_harness FILES_MATCHING PATTERN "*.hpp" PATTERN "conformance" EXCLUDE)
  install(EXPORT conkitHarnessTargets NAMESPACE conkit:: DESTINATION ${conkit_cmake_dir} COMPONENT conkit_harness)
endif()

# -- the package files -----------------------------------------------------------------------------
set(CONKIT_BOOST_VERSION "${Boost_VERSION_MAJOR}.${Boost_VERSION_MINOR}")
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/conkitConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/conkitConfig.cmake" INSTALL_DESTINATION ${conkit_cmake_dir})
# 0.x: a minor version may break the adapter concepts.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/conkitConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/conkitConfig.cmake" "${PROJECT_BINARY_DIR}/conkitConfigVersion.cmake"
              "${CMAKE_CURRENT_LIST_DIR}/ConkitExecutor.cmake"
  DESTINATION ${conkit_cmake_dir} COMPONENT conkit_conformance)

# -- data: shipped cases, expected files, claims registry, docs -------------------------------------
# The installed manifest (<prefix>/share/conkit/conkit-cases.json) is the build's manifest with
# every path made relative to itself ("$ORIGIN/", resolved by the CLI, conkit/paths.hpp): case
# programs in <prefix>/lib/conkit/cases, scripts and expected files under <prefix>/share/conkit,
# and the Python interpreter looked up on PATH (python3; `--python` / CONKIT_PYTHON override it).
function(conkit_install_shipped_cases)
  get_property(entries GLOBAL PROPERTY CONKIT_CASE_MANIFEST)
  string(REPLACE ";" ",\n  " body "${entries}")
  string(REGEX REPLACE [[\$<TARGET_FILE:([A-Za-z0-9_.+-]+)>]] [[$ORIGIN/../../lib/conkit/cases/$<TARGET_FILE_NAME:\1>]]
         body "${body}")
  string(REPLACE "${PROJECT_SOURCE_DIR}/" [[$ORIGIN/]] body "${body}")
  if(CONKIT_PYTHON_REAL)
    string(REPLACE "\"${CONKIT_PYTHON_REAL}\"" "\"python3\"" body "${body}")
  endif()
  string(FIND "${body}" "${PROJECT_BINARY_DIR}/" build_path_at)
  if(NOT build_path_at EQUAL -1)
    message(WARNING "conkit: the installed case manifest names a build-tree path (the package.deb test fails): ${body}")
  endif()
  file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/conkit-cases.installed.json"
       CONTENT "{\"sanitizer\":\"${CONKIT_SANITIZER}\",\"unit_ms\":${CONKIT_UNIT_MS},\"cases\":[\n  ${body}\n]}\n")
  install(FILES "${PROJECT_BINARY_DIR}/conkit-cases.installed.json" DESTINATION ${CMAKE_INSTALL_DATADIR}/conkit
          RENAME conkit-cases.json COMPONENT conkit_data)
  string(REGEX MATCHALL [[\$<TARGET_FILE:[A-Za-z0-9_.+-]+>]] refs "${entries}")
  set(programs)
  foreach(ref IN LISTS refs)
    string(REGEX REPLACE [[\$<TARGET_FILE:(.*)>]] [[\1]] target "${ref}")
    list(APPEND programs ${target})
  endforeach()
  list(REMOVE_DUPLICATES programs)
  if(programs)
    install(TARGETS ${programs} RUNTIME DESTINATION lib/conkit/cases COMPONENT conkit_data)
  endif()
endfunction()

if(TARGET conkit_cli)
  conkit_install_shipped_cases()
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/cases/" DESTINATION ${CMAKE_INSTALL_DATADIR}/conkit/cases
          COMPONENT conkit_data FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/expected/" DESTINATION ${CMAKE_INSTALL_DATADIR}/conkit/expected
          COMPONENT conkit_data)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/" DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT conkit_data)
  install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT conkit_data)
endif()

# -- the .deb: `cpack -G DEB` in the build dir (README "Install the package") -----------------------
set(CPACK_PACKAGE_NAME conkit)
set(CPACK_PACKAGE_VENDOR "conkit")
set(CPACK_PACKAGE_CONTACT "conkit maintainers <conkit@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL OFF)  # one package with every component
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # runtime libraries from the binaries (dpkg-shlibdeps)
# What find_package(conkit) finds for its components, and the Python cases' interpreter.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3, libgtest-dev, libboost-dev, libboost-filesystem-dev, libfmt-dev, nlohmann-json3-dev")
include(CPack)

# The package test (tests/package/deb_test.cmake): cpack, dpkg -x into a scratch root, then the
# unpacked CLI lists the cases and runs one. Serial: cpack compresses the whole install.
if(CONKIT_BUILD_TESTS AND TARGET conkit_cli)
  find_program(CONKIT_DPKG dpkg)
  if(CONKIT_DPKG)
    add_test(NAME package.deb
      COMMAND "${CMAKE_COMMAND}" "-DCONKIT_BUILD=${PROJECT_BINARY_DIR}" "-DCONKIT_SOURCE=${PROJECT_SOURCE_DIR}"
              "-DWORK=${PROJECT_BINARY_DIR}/package_deb" -DCASE=shared_counter.threads.mutex
              -P "${PROJECT_SOURCE_DIR}/tests/package/deb_test.cmake")
    set_tests_properties(package.deb PROPERTIES LABELS "package" RUN_SERIAL TRUE TIMEOUT 600)
  else()
    message(STATUS "conkit: dpkg not found; the package.deb test is not registered")
  endif()
endif()
