# `install` rules and the exported package for users of the executor conformance kit:
#   cmake --install <build> --prefix <p> --component conkit_conformance
#   find_package(conkit) with CMAKE_PREFIX_PATH=<p>  ->  conkit::conformance, conkit::reference_pools,
#   conkit::conformance_worker, conkit::flags and conkit_add_executor().
# conkit::flags is exported because conkit::reference_pools (a static library) links it; it carries
# the sanitizer this conkit was built with, which a program linking that library needs as well.
if(NOT TARGET conkit_conformance OR NOT TARGET conkit_reference_pools)
  return()
endif()
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(conkit_component COMPONENT conkit_conformance)
set(conkit_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/conkit")

set_target_properties(conkit_conformance PROPERTIES EXPORT_NAME conformance)
set_target_properties(conkit_reference_pools PROPERTIES EXPORT_NAME reference_pools)
set_target_properties(conkit_conformance_worker PROPERTIES EXPORT_NAME conformance_worker)
set_target_properties(conkit_flags PROPERTIES EXPORT_NAME flags)

# The worker path compiled into users' suites assumes bin/ (see harness/conformance/CMakeLists.txt).
install(TARGETS conkit_conformance conkit_reference_pools conkit_conformance_worker conkit_flags
  EXPORT conkitTargets
  RUNTIME DESTINATION bin ${conkit_component}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} ${conkit_component}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/harness/include/conkit" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  ${conkit_component} FILES_MATCHING PATTERN "*.hpp")
install(FILES "${PROJECT_SOURCE_DIR}/harness/conformance/reference_thread_pool.hpp"
              "${PROJECT_SOURCE_DIR}/harness/conformance/reference_process_pool.hpp"
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/conkit/reference ${conkit_component})

install(EXPORT conkitTargets NAMESPACE conkit:: DESTINATION ${conkit_cmake_dir} ${conkit_component})
set(CONKIT_BOOST_VERSION "${Boost_VERSION_MAJOR}.${Boost_VERSION_MINOR}")
configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/conkitConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/conkitConfig.cmake" INSTALL_DESTINATION ${conkit_cmake_dir})
# 0.x: a minor version may break the adapter concepts.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/conkitConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/conkitConfig.cmake" "${PROJECT_BINARY_DIR}/conkitConfigVersion.cmake"
              "${CMAKE_CURRENT_LIST_DIR}/ConkitExecutor.cmake"
  DESTINATION ${conkit_cmake_dir} ${conkit_component})
