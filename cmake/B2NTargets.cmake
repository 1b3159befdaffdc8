# B2NTargets.cmake - the native target table for CMake, and the runtime
# built once per target with that target's Debian cross gcc.
#
# targets/targets.def is the single source of truth (the C code includes it
# as an X-macro table); here its X(...) lines are read with file(STRINGS) and
# one regex, so a new target needs no edit in this file.  For every target:
#   B2N_TARGETS                       list of target names (e.g. x86_64;aarch64;...)
#   B2N_TARGET_<n>_TRIPLE             LLVM triple
#   B2N_TARGET_<n>_GNU                Debian toolchain prefix (aarch64-linux-gnu)
#   B2N_TARGET_<n>_QEMU               qemu-user binary name ("" = runs natively)
#   B2N_TARGET_<n>_QEMU_PATH          its full path, or "" (native, or not found)
#   B2N_TARGET_<n>_BIG_ENDIAN         0 or 1
#   B2N_TARGET_<n>_SYSROOT            /usr/<GNU> (pass to qemu -L), "" for the host
#   B2N_TARGET_<n>_CC / _AR           the (cross) gcc and ar, when found
#   B2N_TARGET_<n>_AVAILABLE          ON when the cross compiler exists
#   B2N_TARGET_<n>_MISSING_REASON     why not, when it is OFF
#   B2N_RT_LIB_<n>                    ${CMAKE_BINARY_DIR}/rt/<n>/libb2n_rt.a (available targets)
# and, for each available target, a custom target b2n_rt_<n> (part of ALL)
# that builds that archive from runtime/*.c with the portable flags below.
# b2n_target_cc(<n> <outvar>) / b2n_target_ar(<n> <outvar>) return the tools
# (empty when missing).  x86_64 uses the host C compiler when the host is
# x86_64.
#
# Note: the cross flags are strict -std=c11 with no feature-test macro (the
# host build adds -D_GNU_SOURCE), so a runtime file that uses POSIX or GNU
# functions (strdup, pthread_*, sched_getcpu, clock_gettime...) must define
# _GNU_SOURCE (or _POSIX_C_SOURCE) itself, before its first #include.

set(B2N_SOURCE_ROOT "${CMAKE_CURRENT_LIST_DIR}/..")
get_filename_component(B2N_SOURCE_ROOT "${B2N_SOURCE_ROOT}" ABSOLUTE)
set(B2N_TARGETS_DEF "${B2N_SOURCE_ROOT}/targets/targets.def")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${B2N_TARGETS_DEF}")

# X("name", "triple", "cpu", "features", big_endian, TAILCALL, "gnu", "qemu", "aliases")
set(_b2n_q "\"([^\"]*)\"")
set(_b2n_sep "[ \t]*,[ \t]*")
set(_b2n_x_regex
  "^X\\([ \t]*${_b2n_q}${_b2n_sep}${_b2n_q}${_b2n_sep}${_b2n_q}${_b2n_sep}${_b2n_q}${_b2n_sep}([01])${_b2n_sep}([A-Za-z0-9_]+)${_b2n_sep}${_b2n_q}${_b2n_sep}${_b2n_q}${_b2n_sep}${_b2n_q}[ \t]*\\)")

file(STRINGS "${B2N_TARGETS_DEF}" _b2n_x_lines REGEX "^X\\(")
set(B2N_TARGETS "")
foreach(_line IN LISTS _b2n_x_lines)
  if(NOT _line MATCHES "${_b2n_x_regex}")
    message(FATAL_ERROR "B2NTargets: cannot parse targets.def line: ${_line}")
  endif()
  set(_n "${CMAKE_MATCH_1}")
  list(APPEND B2N_TARGETS "${_n}")
  set(B2N_TARGET_${_n}_TRIPLE "${CMAKE_MATCH_2}")
  set(B2N_TARGET_${_n}_CPU "${CMAKE_MATCH_3}")
  set(B2N_TARGET_${_n}_FEATURES "${CMAKE_MATCH_4}")
  set(B2N_TARGET_${_n}_BIG_ENDIAN "${CMAKE_MATCH_5}")
  set(B2N_TARGET_${_n}_TAILCALL "${CMAKE_MATCH_6}")
  set(B2N_TARGET_${_n}_GNU "${CMAKE_MATCH_7}")
  set(B2N_TARGET_${_n}_QEMU "${CMAKE_MATCH_8}")
  set(B2N_TARGET_${_n}_ALIASES "${CMAKE_MATCH_9}")
endforeach()
if(NOT B2N_TARGETS)
  message(FATAL_ERROR "B2NTargets: no X(...) entries in ${B2N_TARGETS_DEF}")
endif()

function(b2n_target_cc name outvar)
  set(${outvar} "${B2N_TARGET_${name}_CC}" PARENT_SCOPE)
endfunction()

function(b2n_target_ar name outvar)
  set(${outvar} "${B2N_TARGET_${name}_AR}" PARENT_SCOPE)
endfunction()

# The runtime sources, and the headers they may include.
file(GLOB B2N_RT_CROSS_SOURCES CONFIGURE_DEPENDS "${B2N_SOURCE_ROOT}/runtime/*.c")
file(GLOB B2N_RT_CROSS_HEADERS CONFIGURE_DEPENDS "${B2N_SOURCE_ROOT}/runtime/*.h"
  "${B2N_SOURCE_ROOT}/include/bpf2native/*.h" "${B2N_SOURCE_ROOT}/include/bpf2native/*.def")
set(B2N_RT_CROSS_FLAGS -O2 -std=c11 -fPIC -fvisibility=hidden -ffunction-sections
  -Wall -Wextra -Werror -I "${B2N_SOURCE_ROOT}/include")

string(TOLOWER "${CMAKE_HOST_SYSTEM_PROCESSOR}" _b2n_host_proc)
foreach(_n IN LISTS B2N_TARGETS)
  set(_gnu "${B2N_TARGET_${_n}_GNU}")
  set(_cc "")
  set(_ar "")
  set(_native OFF)
  if(_n STREQUAL "x86_64" AND _b2n_host_proc MATCHES "^(x86_64|amd64)$")
    set(_native ON)
    set(_cc "${CMAKE_C_COMPILER}")
    set(_ar "${CMAKE_AR}")
  else()
    find_program(B2N_CROSS_CC_${_n} NAMES "${_gnu}-gcc" "${_gnu}-gcc-12")
    find_program(B2N_CROSS_AR_${_n} NAMES "${_gnu}-ar")
    if(B2N_CROSS_CC_${_n})
      set(_cc "${B2N_CROSS_CC_${_n}}")
    endif()
    if(B2N_CROSS_AR_${_n})
      set(_ar "${B2N_CROSS_AR_${_n}}")
    endif()
  endif()
  set(B2N_TARGET_${_n}_CC "${_cc}")
  set(B2N_TARGET_${_n}_AR "${_ar}")

  if(_native)
    set(B2N_TARGET_${_n}_SYSROOT "")
  else()
    set(B2N_TARGET_${_n}_SYSROOT "/usr/${_gnu}")
  endif()
  set(B2N_TARGET_${_n}_QEMU_PATH "")
  if(B2N_TARGET_${_n}_QEMU)
    find_program(B2N_QEMU_${_n} NAMES "${B2N_TARGET_${_n}_QEMU}")
    if(B2N_QEMU_${_n})
      set(B2N_TARGET_${_n}_QEMU_PATH "${B2N_QEMU_${_n}}")
    endif()
  endif()

  if(NOT _cc OR NOT _ar)
    set(B2N_TARGET_${_n}_AVAILABLE OFF)
    set(B2N_TARGET_${_n}_MISSING_REASON "cross compiler ${_gnu}-gcc (or ${_gnu}-ar) not found")
    message(WARNING "bpf2native: target ${_n}: ${B2N_TARGET_${_n}_MISSING_REASON}; "
      "its runtime is not built and its tests will be skipped")
    continue()
  endif()
  set(B2N_TARGET_${_n}_AVAILABLE ON)
  set(B2N_TARGET_${_n}_MISSING_REASON "")

  set(_dir "${CMAKE_BINARY_DIR}/rt/${_n}")
  set(_lib "${_dir}/libb2n_rt.a")
  set(_objs "")
  foreach(_src IN LISTS B2N_RT_CROSS_SOURCES)
    get_filename_component(_stem "${_src}" NAME_WE)
    set(_obj "${_dir}/${_stem}.o")
    add_custom_command(OUTPUT "${_obj}"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${_dir}"
      COMMAND "${_cc}" ${B2N_RT_CROSS_FLAGS} -c "${_src}" -o "${_obj}"
      DEPENDS "${_src}" ${B2N_RT_CROSS_HEADERS}
      COMMENT "Building runtime ${_stem}.c for ${_n}"
      VERBATIM)
    list(APPEND _objs "${_obj}")
  endforeach()
  add_custom_command(OUTPUT "${_lib}"
    COMMAND "${CMAKE_COMMAND}" -E rm -f "${_lib}"
    COMMAND "${_ar}" rcs "${_lib}" ${_objs}
    DEPENDS ${_objs}
    COMMENT "Archiving ${_n} runtime ${_lib}"
    VERBATIM)
  add_custom_target(b2n_rt_${_n} ALL DEPENDS "${_lib}")
  set(B2N_RT_LIB_${_n} "${_lib}")
endforeach()

set(B2N_AVAILABLE_TARGETS "")
foreach(_n IN LISTS B2N_TARGETS)
  if(B2N_TARGET_${_n}_AVAILABLE)
    list(APPEND B2N_AVAILABLE_TARGETS "${_n}")
  endif()
endforeach()
message(STATUS "bpf2native targets: ${B2N_TARGETS} (runtime cross-built for: ${B2N_AVAILABLE_TARGETS})")

# ---------------------------------------------------------------------------
# Test helpers: the steps tests/*/CMakeLists.txt repeat for every target.
#
# Two kinds of per-target test exist, and b2n_add_target_test makes both:
#
#  - SCRIPT mode, for tests that compile BPF objects with bpf2native: the
#    compile, the static link with the target's gcc and the run (qemu-user
#    for the cross targets) all happen at TEST time in a shell script, so
#    that a bpf2native or runtime bug is a test failure, never a broken
#    build.  The test runs
#      sh SCRIPT [SCRIPT_ARGS...] <t> <cc> <qemu> <bpf2native> <libb2n_rt.a>
#         <SOURCE_DIR> <include dir> <BPF_OBJECTS> <WORKDIR> "<skip reason>"
#    and the script exits 77 (skipped) when the reason is not empty or a
#    tool is missing.  "@ENDIAN@" in BPF_OBJECTS becomes el or eb (the
#    target's byte order), so one bpf/<el|eb>/ tree serves all targets.
#    SOURCE_DIR defaults to the current source dir.
#
#  - SOURCES mode, for runtime unit tests (no BPF objects): SOURCES are
#    compiled at BUILD time by the target's gcc
#      <cc> -O2 -std=c11 -Wall -Wextra -Werror -static -pthread
#           -I include [-I INCLUDE_DIRS...] SOURCES libb2n_rt.a -o EXE
#    (EXE defaults to ${CMAKE_CURRENT_BINARY_DIR}/<NAME>; custom target
#    <basename of EXE>_bin, part of ALL; DEPENDS adds headers), and the test
#    runs "EXE ARGS" natively or "qemu -L sysroot EXE ARGS QEMU_ARGS".
#    A target whose gcc, runtime or qemu is missing gets a test that prints
#    why and exits 77.
#
#  b2n_add_target_test(NAME <test> TARGET <t>
#      {SCRIPT <run.sh> [SCRIPT_ARGS ...] BPF_OBJECTS <dir-or-file> WORKDIR <dir>
#       [SOURCE_DIR <dir>]
#      | SOURCES <c files...> [INCLUDE_DIRS ...] [DEPENDS ...] [EXE <path>]
#       [ARGS ...] [QEMU_ARGS ...]}
#      [LABELS ...] [TIMEOUT <s>])
#
# e.g.  foreach(t IN LISTS B2N_TARGETS)
#         b2n_add_target_test(NAME foo-${t} TARGET ${t} SCRIPT ${src}/run_foo.sh
#           BPF_OBJECTS ${bin}/bpf/@ENDIAN@ WORKDIR ${bin}/work-${t} LABELS target)
#       endforeach()
#
# Smaller pieces, also usable alone:
#  B2N_BPF_CLANG, B2N_BPF_GCC     clang-19 and gcc-bpf (may be NOTFOUND)
#  b2n_add_bpf_object(<out> <src> ENDIAN el|eb [GCC] [FLAGS ...] [DEPENDS ...]
#      [COMMENT ...])            build-time "clang -target bpf<endian> FLAGS
#                                -idirafter /usr/include/<multiarch> -c src"
#                                (GCC: "gcc-bpf -m<little|big>-endian FLAGS")
#  b2n_target_endian(<t> <var>)  el or eb
#  b2n_target_skip_reason(<t> <var> [NEED_QEMU])  "" or why <t> cannot run
#  b2n_add_skip_test(<test> <why> [LABELS ...])   a test that says why, exit 77

find_program(B2N_BPF_CLANG NAMES clang-19 clang)
find_program(B2N_BPF_GCC NAMES bpf-gcc bpf-unknown-none-gcc bpf-none-gcc)
# linux/bpf.h includes asm/types.h, which lives in the host's multiarch dir.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-multiarch
  OUTPUT_VARIABLE _b2n_multiarch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(B2N_BPF_SYS_INCLUDES "")
if(_b2n_multiarch)
  set(B2N_BPF_SYS_INCLUDES -idirafter /usr/include/${_b2n_multiarch})
endif()

function(b2n_add_bpf_object out src)
  cmake_parse_arguments(PARSE_ARGV 2 A "GCC" "ENDIAN;COMMENT" "FLAGS;DEPENDS")
  get_filename_component(_dir "${out}" DIRECTORY)
  file(MAKE_DIRECTORY "${_dir}")
  set(_comment "")
  if(A_COMMENT)
    set(_comment COMMENT "${A_COMMENT}")
  endif()
  if(A_GCC)
    if(A_ENDIAN STREQUAL "eb")
      set(_cmd ${B2N_BPF_GCC} -mbig-endian ${A_FLAGS})
    else()
      set(_cmd ${B2N_BPF_GCC} -mlittle-endian ${A_FLAGS})
    endif()
  else()
    set(_cmd ${B2N_BPF_CLANG} -target bpf${A_ENDIAN} ${A_FLAGS} ${B2N_BPF_SYS_INCLUDES})
  endif()
  add_custom_command(OUTPUT ${out}
    COMMAND ${_cmd} -c ${src} -o ${out}
    DEPENDS ${src} ${A_DEPENDS}
    ${_comment}
    VERBATIM)
endfunction()

function(b2n_target_endian t outvar)
  if(B2N_TARGET_${t}_BIG_ENDIAN)
    set(${outvar} eb PARENT_SCOPE)
  else()
    set(${outvar} el PARENT_SCOPE)
  endif()
endfunction()

function(b2n_target_skip_reason t outvar)
  cmake_parse_arguments(PARSE_ARGV 2 A "NEED_QEMU" "" "")
  set(_why "")
  if(NOT B2N_TARGET_${t}_AVAILABLE)
    set(_why "target toolchain missing at configure time: ${B2N_TARGET_${t}_MISSING_REASON}")
  elseif(NOT B2N_RT_LIB_${t} OR NOT TARGET b2n_rt_${t})
    set(_why "no runtime library for ${t}")
  elseif(A_NEED_QEMU AND B2N_TARGET_${t}_QEMU AND NOT B2N_TARGET_${t}_QEMU_PATH)
    set(_why "${B2N_TARGET_${t}_QEMU} not found (install qemu-user)")
  endif()
  set(${outvar} "${_why}" PARENT_SCOPE)
endfunction()

function(b2n_add_skip_test name why)
  cmake_parse_arguments(PARSE_ARGV 2 A "" "" "LABELS")
  add_test(NAME ${name} COMMAND sh -c "echo 'SKIP: ${why}'; exit 77")
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
  if(A_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${A_LABELS}")
  endif()
endfunction()

function(_b2n_target_test_props name labels timeout)
  if(labels)
    set_tests_properties(${name} PROPERTIES LABELS "${labels}")
  endif()
  if(timeout)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${timeout})
  endif()
endfunction()

function(b2n_add_target_test)
  cmake_parse_arguments(PARSE_ARGV 0 A ""
    "NAME;TARGET;SCRIPT;BPF_OBJECTS;WORKDIR;SOURCE_DIR;EXE;TIMEOUT"
    "SCRIPT_ARGS;SOURCES;INCLUDE_DIRS;DEPENDS;ARGS;QEMU_ARGS;LABELS")
  if(A_UNPARSED_ARGUMENTS OR NOT A_NAME OR NOT A_TARGET OR (A_SCRIPT AND A_SOURCES)
     OR (NOT A_SCRIPT AND NOT A_SOURCES))
    message(FATAL_ERROR "b2n_add_target_test: NAME, TARGET and one of SCRIPT or SOURCES "
      "(got: ${ARGV})")
  endif()
  set(t ${A_TARGET})

  if(A_SCRIPT)
    if(NOT A_SOURCE_DIR)
      set(A_SOURCE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    endif()
    b2n_target_endian(${t} _endian)
    string(REPLACE "@ENDIAN@" "${_endian}" _objs "${A_BPF_OBJECTS}")
    b2n_target_skip_reason(${t} _why)
    add_test(NAME ${A_NAME}
      COMMAND sh ${A_SCRIPT} ${A_SCRIPT_ARGS} ${t} "${B2N_TARGET_${t}_CC}"
              "${B2N_TARGET_${t}_QEMU}" $<TARGET_FILE:bpf2native> "${B2N_RT_LIB_${t}}"
              ${A_SOURCE_DIR} ${B2N_SOURCE_ROOT}/include ${_objs} ${A_WORKDIR} "${_why}")
    set_tests_properties(${A_NAME} PROPERTIES SKIP_RETURN_CODE 77)
    _b2n_target_test_props(${A_NAME} "${A_LABELS}" "${A_TIMEOUT}")
    return()
  endif()

  b2n_target_skip_reason(${t} _why NEED_QEMU)
  if(_why)
    b2n_add_skip_test(${A_NAME} "${_why}" LABELS ${A_LABELS})
    return()
  endif()
  if(NOT A_EXE)
    set(A_EXE "${CMAKE_CURRENT_BINARY_DIR}/${A_NAME}")
  endif()
  get_filename_component(_exe_name "${A_EXE}" NAME)
  set(_inc "")
  foreach(_d IN LISTS A_INCLUDE_DIRS)
    list(APPEND _inc -I "${_d}")
  endforeach()
  add_custom_command(OUTPUT "${A_EXE}"
    COMMAND "${B2N_TARGET_${t}_CC}" -O2 -std=c11 -Wall -Wextra -Werror -static -pthread
      -I "${B2N_SOURCE_ROOT}/include" ${_inc} ${A_SOURCES} "${B2N_RT_LIB_${t}}" -o "${A_EXE}"
    DEPENDS ${A_SOURCES} ${A_DEPENDS} "${B2N_RT_LIB_${t}}" b2n_rt_${t}
    COMMENT "Building ${_exe_name} for ${t}"
    VERBATIM)
  add_custom_target(${_exe_name}_bin ALL DEPENDS "${A_EXE}")
  if(B2N_TARGET_${t}_QEMU)
    add_test(NAME ${A_NAME}
      COMMAND "${B2N_TARGET_${t}_QEMU_PATH}" -L "${B2N_TARGET_${t}_SYSROOT}" "${A_EXE}"
              ${A_ARGS} ${A_QEMU_ARGS})
  else()
    add_test(NAME ${A_NAME} COMMAND "${A_EXE}" ${A_ARGS})
  endif()
  _b2n_target_test_props(${A_NAME} "${A_LABELS}" "${A_TIMEOUT}")
endfunction()
