# FindLibElf - libelf through pkg-config.  Defines LibElf::LibElf.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBELF QUIET IMPORTED_TARGET libelf)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibElf REQUIRED_VARS LIBELF_LINK_LIBRARIES VERSION_VAR LIBELF_VERSION)
if(LibElf_FOUND AND NOT TARGET LibElf::LibElf)
  add_library(LibElf::LibElf INTERFACE IMPORTED)
  target_link_libraries(LibElf::LibElf INTERFACE PkgConfig::LIBELF)
endif()
