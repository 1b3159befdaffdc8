# Bpf2nativeFunctions.cmake - build BPF C into native objects in a CMake
# project:
#
#   bpf2native_add_object(<target> <file.bpf.c> TARGET <t>
#                         [OBJECT_NAME <name>] [SKELETON] [SKELETON_TYPES]
#                         [NO_RUNTIME] [CLANG_FLAGS <flag>...])
#
# compiles <file.bpf.c> with clang (-target bpfel or bpfeb, following the
# byte order of target <t>; -O2 -g -c), compiles the BPF object with
# `bpf2native -target <t>` and adds the native object to <target>'s
# sources.  SKELETON also generates <name>.skel.h (`bpf2native gen
# skeleton`; SKELETON_TYPES adds --types, which emits the named types of the
# global variables) and puts its directory on <target>'s include path.
# Unless NO_RUNTIME is given, <target> is linked (PRIVATE) with the runtime
# built for <t>, b2n::rt_<t>.  <name> defaults to the file name up to its
# first '.', so the descriptor is b2n_object_<name>.  Outputs are under
# ${CMAKE_CURRENT_BINARY_DIR}/bpf2native/<t>/.  Variables set in the
# caller's scope: BPF2NATIVE_<name>_BPF_OBJECT, BPF2NATIVE_<name>_OBJECT,
# BPF2NATIVE_<name>_SKELETON.
#
# bpf2native_add_shared_object (below) builds a shared object with ld.lld
# instead, for b2n_object__open_file.
#
# The same file serves the build tree of bpf2native (included from the top
# CMakeLists.txt after B2NTargets.cmake: the tool is the `bpf2native`
# target, the runtimes are b2n_rt and the per-target archives) and an
# installed package (included by bpf2native-config.cmake, which defines the
# imported targets b2n::bpf2native, b2n::rt and b2n::rt_<t> and the target
# table B2N_TARGETS / B2N_TARGET_<t>_BIG_ENDIAN before including it).
#
# clang -target bpf does not search the multiarch include directory, where
# <asm/types.h> lives on Debian (needed by <linux/bpf.h>): it is added with
# -idirafter when found.

include_guard(GLOBAL)

if(TARGET bpf2native AND NOT B2N_FROM_PACKAGE)
  # Build tree of bpf2native itself.
  set(B2N_TOOL_TARGET bpf2native)
  if(TARGET b2n_rt AND NOT TARGET b2n::rt)
    add_library(b2n::rt ALIAS b2n_rt)
  endif()
  foreach(_b2n_t IN LISTS B2N_TARGETS)
    if(B2N_TARGET_${_b2n_t}_AVAILABLE AND NOT TARGET b2n::rt_${_b2n_t})
      add_library(b2n::rt_${_b2n_t} STATIC IMPORTED GLOBAL)
      set_target_properties(b2n::rt_${_b2n_t} PROPERTIES
        IMPORTED_LOCATION "${B2N_RT_LIB_${_b2n_t}}"
        INTERFACE_INCLUDE_DIRECTORIES "${CMAKE_CURRENT_LIST_DIR}/../include"
        INTERFACE_LINK_LIBRARIES "pthread;${CMAKE_DL_LIBS}")
      add_dependencies(b2n::rt_${_b2n_t} b2n_rt_${_b2n_t})
    endif()
  endforeach()
else()
  set(B2N_TOOL_TARGET b2n::bpf2native)
endif()

find_program(B2N_CLANG NAMES clang-19 clang DOC "clang used to build BPF C (bpf2native_add_object)")
find_program(B2N_LLD NAMES ld.lld-19 ld.lld DOC "ld.lld used by bpf2native_add_shared_object")

# The multiarch directory holding asm/types.h, for clang -target bpf.
set(B2N_BPF_ASM_INCLUDE "")
foreach(_b2n_dir "/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}"
    "/usr/include/${CMAKE_HOST_SYSTEM_PROCESSOR}-linux-gnu")
  if(EXISTS "${_b2n_dir}/asm/types.h")
    set(B2N_BPF_ASM_INCLUDE "${_b2n_dir}")
    break()
  endif()
endforeach()
if(NOT B2N_BPF_ASM_INCLUDE)
  file(GLOB _b2n_asm "/usr/include/*/asm/types.h")
  if(_b2n_asm)
    list(GET _b2n_asm 0 _b2n_asm)
    get_filename_component(_b2n_asm "${_b2n_asm}" DIRECTORY)
    get_filename_component(B2N_BPF_ASM_INCLUDE "${_b2n_asm}" DIRECTORY)
  endif()
endif()

# Shared by both functions (a macro: it sets t, name, dir, bpf_obj, nat_obj
# in the calling function's scope): check the arguments and add the rules
# BPF C -> <name>.bpf.o -> <name>.o.
macro(_b2n_object_rules fn src)
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${fn}: unknown arguments: ${A_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT A_TARGET)
    message(FATAL_ERROR "${fn}: TARGET <t> is required (one of: ${B2N_TARGETS})")
  endif()
  set(t "${A_TARGET}")
  if(NOT t IN_LIST B2N_TARGETS)
    message(FATAL_ERROR "${fn}: unknown target '${t}' (one of: ${B2N_TARGETS})")
  endif()
  if(NOT B2N_CLANG)
    message(FATAL_ERROR "${fn}: clang (clang-19) not found; set B2N_CLANG")
  endif()
  if(B2N_TARGET_${t}_BIG_ENDIAN)
    set(bpf_triple bpfeb)
  else()
    set(bpf_triple bpfel)
  endif()

  get_filename_component(src_abs "${src}" ABSOLUTE)
  if(A_OBJECT_NAME)
    set(name "${A_OBJECT_NAME}")
  else()
    get_filename_component(name "${src_abs}" NAME)
    string(REGEX REPLACE "\\..*$" "" name "${name}")
  endif()
  string(MAKE_C_IDENTIFIER "${name}" name)

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/bpf2native/${t}")
  file(MAKE_DIRECTORY "${dir}")
  set(bpf_obj "${dir}/${name}.bpf.o")
  set(nat_obj "${dir}/${name}.o")
  set(incs "")
  if(B2N_BPF_ASM_INCLUDE)
    set(incs -idirafter "${B2N_BPF_ASM_INCLUDE}")
  endif()

  add_custom_command(OUTPUT "${bpf_obj}"
    COMMAND "${B2N_CLANG}" -target ${bpf_triple} -O2 -g ${incs} ${A_CLANG_FLAGS}
            -MD -MF "${bpf_obj}.d" -c "${src_abs}" -o "${bpf_obj}"
    DEPENDS "${src_abs}"
    DEPFILE "${bpf_obj}.d"
    COMMENT "Building BPF object ${name}.bpf.o (${bpf_triple}) for ${t}"
    VERBATIM)
  add_custom_command(OUTPUT "${nat_obj}"
    COMMAND $<TARGET_FILE:${B2N_TOOL_TARGET}> -target ${t} --object-name ${name}
            -o "${nat_obj}" "${bpf_obj}"
    DEPENDS "${bpf_obj}" ${B2N_TOOL_TARGET}
    COMMENT "Compiling ${name}.bpf.o to a native ${t} object"
    VERBATIM)
  set(BPF2NATIVE_${name}_BPF_OBJECT "${bpf_obj}" PARENT_SCOPE)
  set(BPF2NATIVE_${name}_OBJECT "${nat_obj}" PARENT_SCOPE)
endmacro()

# The skeleton rule; adds the header to target `app` and its directory to
# app's include path.
macro(_b2n_skeleton_rules app)
  set(skel "${dir}/${name}.skel.h")
  set(types "")
  if(A_SKELETON_TYPES)
    set(types --types)
  endif()
  add_custom_command(OUTPUT "${skel}"
    COMMAND $<TARGET_FILE:${B2N_TOOL_TARGET}> gen skeleton "${bpf_obj}" --object-name ${name}
            ${types} -o "${skel}"
    DEPENDS "${bpf_obj}" ${B2N_TOOL_TARGET}
    COMMENT "Generating skeleton ${name}.skel.h"
    VERBATIM)
  set_source_files_properties("${skel}" PROPERTIES GENERATED TRUE HEADER_FILE_ONLY TRUE)
  target_sources(${app} PRIVATE "${skel}")
  target_include_directories(${app} PRIVATE "${dir}")
  set(BPF2NATIVE_${name}_SKELETON "${skel}" PARENT_SCOPE)
endmacro()

function(bpf2native_add_object tgt src)
  cmake_parse_arguments(PARSE_ARGV 2 A "SKELETON;SKELETON_TYPES;NO_RUNTIME"
    "TARGET;OBJECT_NAME" "CLANG_FLAGS")
  if(NOT TARGET ${tgt})
    message(FATAL_ERROR "bpf2native_add_object: ${tgt} is not a target")
  endif()
  _b2n_object_rules(bpf2native_add_object "${src}")
  set_source_files_properties("${nat_obj}" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  target_sources(${tgt} PRIVATE "${nat_obj}")
  if(A_SKELETON OR A_SKELETON_TYPES)
    _b2n_skeleton_rules(${tgt})
  endif()
  if(NOT A_NO_RUNTIME)
    if(NOT TARGET b2n::rt_${t})
      message(FATAL_ERROR "bpf2native_add_object: no runtime built for target ${t} (b2n::rt_${t})")
    endif()
    target_link_libraries(${tgt} PRIVATE b2n::rt_${t})
  endif()
endfunction()

# bpf2native_add_shared_object(<name> <file.bpf.c> TARGET <t> [OBJECT_NAME <n>]
#                              [SKELETON_FOR <app>] [SKELETON_TYPES] [CLANG_FLAGS ...])
# builds <n>.so with `ld.lld -shared` from the native object, as the custom
# target <name> (part of ALL); its path is the target property
# B2N_SHARED_OBJECT and the variable BPF2NATIVE_<n>_SHARED_OBJECT.  An
# application loads it with b2n_object__open_file (or the skeleton's
# <n>__open_file: SKELETON_FOR <app> generates the header for target <app>).
# The application must export the runtime to the shared object: link it
# whole and with ENABLE_EXPORTS, e.g.
#   set_target_properties(app PROPERTIES ENABLE_EXPORTS ON)
#   target_link_libraries(app PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,b2n::rt_<t>>")
function(bpf2native_add_shared_object tgt src)
  cmake_parse_arguments(PARSE_ARGV 2 A "SKELETON_TYPES" "TARGET;OBJECT_NAME;SKELETON_FOR"
    "CLANG_FLAGS")
  if(NOT B2N_LLD)
    message(FATAL_ERROR "bpf2native_add_shared_object: ld.lld (ld.lld-19) not found; set B2N_LLD")
  endif()
  _b2n_object_rules(bpf2native_add_shared_object "${src}")
  set(so "${dir}/${name}.so")
  add_custom_command(OUTPUT "${so}"
    COMMAND "${B2N_LLD}" -shared -o "${so}" "${nat_obj}"
    DEPENDS "${nat_obj}"
    COMMENT "Linking shared object ${name}.so (ld.lld)"
    VERBATIM)
  add_custom_target(${tgt} ALL DEPENDS "${so}")
  set_target_properties(${tgt} PROPERTIES B2N_SHARED_OBJECT "${so}")
  set(BPF2NATIVE_${name}_SHARED_OBJECT "${so}" PARENT_SCOPE)
  if(A_SKELETON_FOR)
    if(NOT TARGET ${A_SKELETON_FOR})
      message(FATAL_ERROR "bpf2native_add_shared_object: ${A_SKELETON_FOR} is not a target")
    endif()
    _b2n_skeleton_rules(${A_SKELETON_FOR})
    add_dependencies(${A_SKELETON_FOR} ${tgt})
  endif()
endfunction()
